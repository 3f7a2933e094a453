--[[ Recovers jobs whose worker died: two passes apart, an active job whose lock has expired goes back to wait.
  One check per interval for the whole queue, whichever worker runs it. A job stalled more often than allowed
  is marked (field "defa", as BullMQ does) so the next worker to take it fails it instead of running it again.
  KEYS: [1] stalled [2] wait [3] active [4] stalled-check [5] meta [6] marker [7] events
  ARGV: [1] key prefix [2] timestamp ms [3] max stalled count [4] check interval ms
  Returns the ids moved back to wait.
]]
--@helpers
local stalledKey, waitKey, activeKey, checkKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local metaKey, markerKey, eventsKey = KEYS[5], KEYS[6], KEYS[7]
local prefix, maxStalled = ARGV[1], tonumber(ARGV[3])

if rcall("EXISTS", checkKey) == 1 then
  return {}
end
rcall("SET", checkKey, ARGV[2], "PX", ARGV[4])
local cap = eventsCap(metaKey)

local recovered = {}
local candidates = rcall("SMEMBERS", stalledKey)
rcall("DEL", stalledKey)
for _, jobId in ipairs(candidates) do
  local jobKey = prefix .. jobId
  if rcall("EXISTS", jobKey .. ":lock") == 0 and rcall("LREM", activeKey, 1, jobId) > 0 then
    local stalls = rcall("HINCRBY", jobKey, "stc", 1)
    if stalls > maxStalled then
      rcall("HSET", jobKey, "defa", "job stalled more than allowable limit")
    end
    rcall("RPUSH", waitKey, jobId)
    wakeWorkers(markerKey, isHeld(metaKey, activeKey))
    emit(eventsKey, cap, "event", "waiting", "jobId", jobId, "prev", "active")
    emit(eventsKey, cap, "event", "stalled", "jobId", jobId)
    table.insert(recovered, jobId)
  end
end

-- Everything active now becomes a candidate; lock renewals take jobs back out before the next check.
local active = rcall("LRANGE", activeKey, 0, -1)
for i = 1, #active, 5000 do
  rcall("SADD", stalledKey, unpack(active, i, math.min(i + 4999, #active)))
end
return recovered
