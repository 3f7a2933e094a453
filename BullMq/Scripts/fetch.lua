--[[ Promotes due delayed jobs, then moves the next job to active under a lock.
  KEYS: [1] wait [2] active [3] prioritized [4] pc [5] delayed [6] meta [7] events [8] marker
  ARGV: [1] key prefix [2] timestamp ms [3] lock token [4] lock duration ms
  Returns {1, jobId, job hash as a flat list} or {0, due time of the next delayed job or 0}.
]]
--@helpers
local waitKey, activeKey, prioritizedKey, counterKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local delayedKey, metaKey, eventsKey, markerKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local prefix, now, token, lockMs = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local cap = eventsCap(metaKey)
local held = isHeld(metaKey, activeKey)

local due = rcall("ZRANGEBYSCORE", delayedKey, 0, (now + 1) * 0x1000 - 1, "LIMIT", 0, 1000)
if #due > 0 then
  for _, jobId in ipairs(due) do
    rcall("ZREM", delayedKey, jobId)
    local priority = tonumber(rcall("HGET", prefix .. jobId, "priority")) or 0
    enqueue(waitKey, prioritizedKey, counterKey, jobId, priority, false)
    rcall("HSET", prefix .. jobId, "delay", 0)
    emit(eventsKey, cap, "event", "waiting", "jobId", jobId, "prev", "delayed")
  end
  wakeWorkers(markerKey, held)
end

local function nextDue()
  local first = rcall("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
  if first[2] then
    return math.floor(tonumber(first[2]) / 0x1000)
  end
  return 0
end

if held then
  return {0, nextDue()}
end

local jobId = rcall("RPOPLPUSH", waitKey, activeKey)
-- Lists written by BullMQ 5 may hold "0:<n>" placeholders; they are not jobs.
while jobId and string.sub(jobId, 1, 2) == "0:" do
  rcall("LREM", activeKey, 1, jobId)
  jobId = rcall("RPOPLPUSH", waitKey, activeKey)
end
if not jobId then
  local popped = rcall("ZPOPMIN", prioritizedKey)
  if popped[1] then
    jobId = popped[1]
    rcall("LPUSH", activeKey, jobId)
  end
end
if not jobId then
  return {0, nextDue()}
end

local jobKey = prefix .. jobId
rcall("SET", jobKey .. ":lock", token, "PX", lockMs)
rcall("HSET", jobKey, "processedOn", now)
rcall("HINCRBY", jobKey, "ats", 1)
emit(eventsKey, cap, "event", "active", "jobId", jobId, "prev", "waiting")
-- Another worker may be blocked while more work waits; let it look.
wakeWorkers(markerKey, false)
return {1, jobId, rcall("HGETALL", jobKey)}
