-- Shared by every script of this client (spliced in where a script says --@helpers). Written for this project;
-- it follows BullMQ 6's documented Redis layout so BullMQ workers, queues and redis-cli see the same state.
local rcall = redis.call

-- The events stream is capped like BullMQ caps it: meta's opts.maxLenEvents, 10000 unless set.
local function eventsCap(metaKey)
  local cap = rcall("HGET", metaKey, "opts.maxLenEvents")
  if not cap then
    cap = 10000
    rcall("HSET", metaKey, "opts.maxLenEvents", cap)
  end
  return cap
end

local function emit(eventsKey, cap, ...)
  rcall("XADD", eventsKey, "MAXLEN", "~", cap, "*", ...)
end

-- A paused queue (meta.paused) or one at its global concurrency cap takes no new work.
local function isHeld(metaKey, activeKey)
  local meta = rcall("HMGET", metaKey, "paused", "concurrency")
  if meta[1] then
    return true
  end
  if meta[2] then
    return rcall("LLEN", activeKey) >= tonumber(meta[2])
  end
  return false
end

-- Workers block on the marker sorted set: member "0" at score 0 means "work is ready".
local function wakeWorkers(markerKey, held)
  if not held then
    rcall("ZADD", markerKey, 0, "0")
  end
end

-- Member "1" at the due time of the earliest delayed job tells blocked workers when to look again.
local function markNextDue(markerKey, delayedKey)
  local first = rcall("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
  if first[2] then
    rcall("ZADD", markerKey, math.floor(tonumber(first[2]) / 0x1000), "1")
  end
end

-- Delayed score: due time in ms times 4096 plus a sequence, so jobs due in the same millisecond keep their order.
local function delayedScore(delayedKey, dueAt)
  local lowest = dueAt * 0x1000
  local highest = lowest + 0x1000 - 1
  local last = rcall("ZREVRANGEBYSCORE", delayedKey, highest, lowest, "WITHSCORES", "LIMIT", 0, 1)
  if last[2] then
    local score = tonumber(last[2])
    if score >= highest then
      return highest
    end
    return score + 1
  end
  return lowest
end

-- Prioritized score: priority in the high bits, an insertion counter in the low 32, so equal priorities stay FIFO.
local function priorityScore(counterKey, priority)
  local counter = rcall("INCR", counterKey)
  return priority * 0x100000000 + counter % 0x100000000
end

local function enqueue(waitKey, prioritizedKey, counterKey, jobId, priority, lifo)
  if priority > 0 then
    rcall("ZADD", prioritizedKey, priorityScore(counterKey, priority), jobId)
  elseif lifo then
    rcall("RPUSH", waitKey, jobId)
  else
    rcall("LPUSH", waitKey, jobId)
  end
end

local function deleteJob(jobKey)
  rcall("DEL", jobKey, jobKey .. ":logs", jobKey .. ":lock")
end

local function nextDueAt(delayedKey)
  local first = rcall("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
  if first[2] then
    return math.floor(tonumber(first[2]) / 0x1000)
  end
  return 0
end

-- Promotes due delayed jobs, then moves the next job to active under a lock (wait list first, then by priority).
-- Returns {1, jobId, job hash as a flat list} or {0, due time of the next delayed job or 0}.
local function takeNext(waitKey, activeKey, prioritizedKey, counterKey, delayedKey, metaKey, eventsKey, markerKey,
                        prefix, now, token, lockMs)
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

  if held then
    return {0, nextDueAt(delayedKey)}
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
    return {0, nextDueAt(delayedKey)}
  end

  local jobKey = prefix .. jobId
  rcall("SET", jobKey .. ":lock", token, "PX", lockMs)
  rcall("HSET", jobKey, "processedOn", now)
  rcall("HINCRBY", jobKey, "ats", 1)
  emit(eventsKey, cap, "event", "active", "jobId", jobId, "prev", "waiting")
  -- Another worker may be blocked while more work waits; let it look.
  wakeWorkers(markerKey, false)
  return {1, jobId, rcall("HGETALL", jobKey)}
end
