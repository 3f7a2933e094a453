--[[ Promotes due delayed jobs, then moves the next job to active under a lock.
  KEYS: [1] wait [2] active [3] prioritized [4] pc [5] delayed [6] meta [7] events [8] marker
  ARGV: [1] key prefix [2] timestamp ms [3] lock token [4] lock duration ms
  Returns {1, jobId, job hash as a flat list} or {0, due time of the next delayed job or 0}.
]]
--@helpers
return takeNext(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8],
  ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4])
