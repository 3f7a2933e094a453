--[[ Ends an attempt of an active job held under our lock.
  KEYS: [1] active [2] completed [3] failed [4] wait [5] prioritized [6] pc [7] delayed [8] meta [9] events
        [10] marker [11] stalled
  ARGV: [1] job id [2] key prefix [3] lock token [4] timestamp ms
        [5] outcome: "completed" | "failed" (final) | "retry" (back to wait now) | "delay" (back after a backoff)
        [6] return value JSON (completed) or failure reason [7] stacktrace JSON array
        [8] keep at most this many finished jobs (-1 keeps all, 0 keeps none) [9] keep for at most this many seconds (-1: no limit)
        [10] backoff ms (delay) [11] "1" for LIFO [12] attempts allowed
        [13] "1" to take the next job in the same call (saves a round trip per job) [14] lock duration ms
  Returns {attempts made, then what fetch.lua returns when [13] is "1"}, or {-1} no such job, {-2} lock missing,
  {-6} lock held by another worker, {-3} job not active.
]]
--@helpers
local activeKey, completedKey, failedKey, waitKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local prioritizedKey, counterKey, delayedKey, metaKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local eventsKey, markerKey, stalledKey = KEYS[9], KEYS[10], KEYS[11]
local jobId, prefix, token, now, outcome = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local value, stacktrace = ARGV[6], ARGV[7]
local keepCount, keepSeconds = tonumber(ARGV[8]), tonumber(ARGV[9])
local backoff, lifo, attempts = tonumber(ARGV[10]), ARGV[11] == "1", tonumber(ARGV[12])
local jobKey = prefix .. jobId

if rcall("EXISTS", jobKey) == 0 then
  return {-1}
end
local lockKey = jobKey .. ":lock"
local holder = rcall("GET", lockKey)
if holder ~= token then
  if holder then
    return {-6}
  end
  return {-2}
end
rcall("DEL", lockKey)
rcall("SREM", stalledKey, jobId)
if rcall("LREM", activeKey, -1, jobId) < 1 then
  return {-3}
end

local attemptsMade = rcall("HINCRBY", jobKey, "atm", 1)
local cap = eventsCap(metaKey)

local function trim(setKey)
  if keepSeconds >= 0 then
    local old = rcall("ZRANGEBYSCORE", setKey, "-inf", now - keepSeconds * 1000, "LIMIT", 0, 1000)
    for _, id in ipairs(old) do
      deleteJob(prefix .. id)
      rcall("ZREM", setKey, id)
    end
  end
  if keepCount > 0 then
    local surplus = rcall("ZRANGE", setKey, 0, -(keepCount + 1))
    for _, id in ipairs(surplus) do
      deleteJob(prefix .. id)
      rcall("ZREM", setKey, id)
    end
  end
end

if outcome == "completed" or outcome == "failed" then
  local field = outcome == "completed" and "returnvalue" or "failedReason"
  if outcome == "failed" then
    rcall("HSET", jobKey, "stacktrace", stacktrace)
    rcall("HDEL", jobKey, "defa")
  end
  if keepCount == 0 then
    deleteJob(jobKey)
  else
    local setKey = outcome == "completed" and completedKey or failedKey
    rcall("ZADD", setKey, now, jobId)
    rcall("HSET", jobKey, field, value, "finishedOn", now)
    trim(setKey)
  end
  emit(eventsKey, cap, "event", outcome, "jobId", jobId, field, value, "prev", "active")
  if outcome == "failed" and attemptsMade >= attempts then
    emit(eventsKey, cap, "event", "retries-exhausted", "jobId", jobId, "attemptsMade", attemptsMade)
  end
  if rcall("LLEN", waitKey) == 0 and rcall("LLEN", activeKey) == 0 and rcall("ZCARD", prioritizedKey) == 0 then
    emit(eventsKey, cap, "event", "drained")
  end
elseif outcome == "retry" then
  rcall("HSET", jobKey, "failedReason", value, "stacktrace", stacktrace)
  local priority = tonumber(rcall("HGET", jobKey, "priority")) or 0
  enqueue(waitKey, prioritizedKey, counterKey, jobId, priority, lifo)
  wakeWorkers(markerKey, isHeld(metaKey, activeKey))
  emit(eventsKey, cap, "event", "waiting", "jobId", jobId, "prev", "active")
else
  local dueAt = now + backoff
  rcall("HSET", jobKey, "failedReason", value, "stacktrace", stacktrace, "delay", backoff)
  rcall("ZADD", delayedKey, delayedScore(delayedKey, dueAt), jobId)
  emit(eventsKey, cap, "event", "delayed", "jobId", jobId, "delay", dueAt)
  markNextDue(markerKey, delayedKey)
end

if ARGV[13] == "1" then
  local nextJob = takeNext(waitKey, activeKey, prioritizedKey, counterKey, delayedKey, metaKey, eventsKey, markerKey,
    prefix, now, token, ARGV[14])
  return {attemptsMade, nextJob[1], nextJob[2], nextJob[3]}
end
return {attemptsMade}
