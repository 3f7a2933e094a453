--[[ Removes jobs that are still waiting, prioritized, delayed or failed (never an active one), with their keys.
  Used by the graceful drain after it has exported them.
  KEYS: [1] wait [2] prioritized [3] delayed [4] failed
  ARGV: [1] key prefix, then job ids
  Returns the ids removed.
]]
--@helpers
local removed = {}
for i = 2, #ARGV do
  local jobId = ARGV[i]
  local found = rcall("LREM", KEYS[1], 0, jobId) + rcall("ZREM", KEYS[2], jobId)
    + rcall("ZREM", KEYS[3], jobId) + rcall("ZREM", KEYS[4], jobId)
  if found > 0 then
    deleteJob(ARGV[1] .. jobId)
    table.insert(removed, jobId)
  end
end
return removed
