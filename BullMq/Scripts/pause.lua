--[[ Pauses or resumes a queue with BullMQ 6 semantics: only meta.paused changes; no job moves.
  KEYS: [1] meta [2] marker [3] events [4] wait [5] prioritized [6] delayed
  ARGV: [1] "paused" or "resumed"
]]
--@helpers
local metaKey, markerKey, eventsKey = KEYS[1], KEYS[2], KEYS[3]
if ARGV[1] == "paused" then
  rcall("HSET", metaKey, "paused", 1)
  rcall("DEL", markerKey)
else
  rcall("HDEL", metaKey, "paused")
  if rcall("LLEN", KEYS[4]) + rcall("ZCARD", KEYS[5]) > 0 then
    rcall("ZADD", markerKey, 0, "0")
  else
    markNextDue(markerKey, KEYS[6])
  end
end
rcall("XADD", eventsKey, "*", "event", ARGV[1])
return 1
