--[[ Renews the locks of the jobs a worker is running; a renewed job is no longer a stall candidate.
  KEYS: [1] stalled
  ARGV: [1] key prefix [2] lock token [3] lock duration ms, then job ids
  Returns the ids whose lock was gone or taken (the worker lost them).
]]
--@helpers
local lost = {}
for i = 4, #ARGV do
  local jobId = ARGV[i]
  local lockKey = ARGV[1] .. jobId .. ":lock"
  if rcall("GET", lockKey) == ARGV[2] then
    rcall("SET", lockKey, ARGV[2], "PX", ARGV[3])
    rcall("SREM", KEYS[1], jobId)
  else
    table.insert(lost, jobId)
  end
end
return lost
