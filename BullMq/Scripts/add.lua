--[[ Adds one job to one or more queues in a single atomic step (fan-out).
  KEYS, 9 per queue: wait, meta, id, delayed, prioritized, pc, events, marker, active
  ARGV: [1] queue count [2] timestamp ms [3] name [4] data JSON [5] opts JSON [6] delay ms [7] priority
        [8] custom job id or "" [9] "1" for LIFO, then one key prefix per queue ("bull:<queue>:")
  Returns, per queue: job id, 1 when added or 0 when a job with that id already existed.
  Fails with "DRAINING <prefix>" before writing anything when any queue is being drained: its meta field
  sandbox:draining holds a lease (ms since the epoch) later than the timestamp. A drainer renews its lease while it
  runs; the lease of one that died passes, and the queue takes jobs again.
]]
--@helpers
local queues = tonumber(ARGV[1])
local timestamp = tonumber(ARGV[2])
local name, data, opts = ARGV[3], ARGV[4], ARGV[5]
local delay, priority = tonumber(ARGV[6]), tonumber(ARGV[7])
local customId, lifo = ARGV[8], ARGV[9] == "1"

for q = 0, queues - 1 do
  local lease = tonumber(rcall("HGET", KEYS[q * 9 + 2], "sandbox:draining"))
  if lease and lease > timestamp then
    return redis.error_reply("DRAINING " .. ARGV[10 + q])
  end
end

local results = {}
for q = 0, queues - 1 do
  local k = q * 9
  local waitKey, metaKey, idKey, delayedKey = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
  local prioritizedKey, counterKey, eventsKey, markerKey, activeKey = KEYS[k + 5], KEYS[k + 6], KEYS[k + 7], KEYS[k + 8], KEYS[k + 9]
  local prefix = ARGV[10 + q]
  local cap = eventsCap(metaKey)

  -- BullMQ advances the id counter even for custom ids; so do we, to keep both clients' ids apart.
  local counter = rcall("INCR", idKey)
  local jobId = customId
  if jobId == "" then
    jobId = tostring(counter)
  end
  local jobKey = prefix .. jobId

  if customId ~= "" and rcall("EXISTS", jobKey) == 1 then
    emit(eventsKey, cap, "event", "duplicated", "jobId", jobId)
    table.insert(results, jobId)
    table.insert(results, 0)
  else
    rcall("HSET", jobKey, "name", name, "data", data, "opts", opts, "timestamp", timestamp,
      "delay", delay, "priority", priority)
    emit(eventsKey, cap, "event", "added", "jobId", jobId, "name", name)
    if delay > 0 then
      local dueAt = timestamp + delay
      rcall("ZADD", delayedKey, delayedScore(delayedKey, dueAt), jobId)
      emit(eventsKey, cap, "event", "delayed", "jobId", jobId, "delay", dueAt)
      markNextDue(markerKey, delayedKey)
    else
      enqueue(waitKey, prioritizedKey, counterKey, jobId, priority, lifo)
      wakeWorkers(markerKey, isHeld(metaKey, activeKey))
      emit(eventsKey, cap, "event", "waiting", "jobId", jobId)
    end
    table.insert(results, jobId)
    table.insert(results, 1)
  end
end
return results
