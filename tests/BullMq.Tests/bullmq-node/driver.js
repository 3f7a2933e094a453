// Runs one BullMQ operation for the interop tests and prints its result as one JSON line.
// Usage: node driver.js <command> '<json args>'   (REDIS_PORT and REDIS_HOST from the environment)
'use strict';
const { Queue, Worker, UnrecoverableError } = require('bullmq');
const Redis = require('ioredis');

const connection = { host: process.env.REDIS_HOST || '127.0.0.1', port: Number(process.env.REDIS_PORT), maxRetriesPerRequest: null };
const [command, rawArgs] = process.argv.slice(2);
const args = rawArgs ? JSON.parse(rawArgs) : {};
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function withQueue(fn) {
  const queue = new Queue(args.queue, { connection });
  try { return await fn(queue); } finally { await queue.close(); }
}

// Processes until `expect` jobs have finished (completed or finally failed) or `timeoutMs` passes.
// Behaviour per job data: {fail: n} throws on the first n attempts, {unrecoverable: true} fails for good,
// {sleepMs: n} sleeps first; the result is {echo: data, by: "bullmq"}. It also stops early: with queueCompleted: n
// once n jobs of the queue are completed, whoever processed them; with stopWhenKey once that Redis key exists; with
// stopWhenWaiting once that job is waiting. With startsTo, each start is also pushed to that Redis list as it happens,
// so a test can see the worker at work while it runs. name is BullMQ's worker name option. timedOut says whether the deadline, not a condition, ended it.
async function work() {
  const seen = [];
  let finished = 0;
  const redis = new Redis(connection);
  const worker = new Worker(args.queue, async job => {
    seen.push({ id: job.id, attempt: job.attemptsMade + 1, at: Date.now() });
    if (args.startsTo) await redis.rpush(args.startsTo, job.id);
    const data = job.data || {};
    if (data.sleepMs) await sleep(data.sleepMs);
    if (data.unrecoverable) throw new UnrecoverableError('unrecoverable by request');
    if (data.fail && job.attemptsMade < data.fail) throw new Error(`planned failure ${job.attemptsMade + 1}`);
    return { echo: data, by: 'bullmq' };
  }, { connection, concurrency: args.concurrency || 1, autorun: false, name: args.name,
       lockDuration: args.lockDurationMs || 30000, stalledInterval: args.stalledIntervalMs || 30000 });
  worker.on('completed', () => finished++);
  worker.on('failed', (job) => { if (!job || job.attemptsMade >= (job.opts.attempts || 1) || job.finishedOn) finished++; });
  worker.run();
  const deadline = Date.now() + (args.timeoutMs || 20000);
  // With other workers on the queue, stop once the queue as a whole has `queueCompleted` completed jobs.
  const queue = new Queue(args.queue, { connection });
  const done = async () => finished >= (args.expect || 0) ||
    (args.queueCompleted && (await queue.getJobCounts('completed')).completed >= args.queueCompleted) ||
    (args.stopWhenKey && (await redis.exists(args.stopWhenKey)) === 1) ||
    (args.stopWhenWaiting && (await queue.getJobState(args.stopWhenWaiting)) === 'waiting');
  let met = await done();
  while (!met && Date.now() < deadline) {
    await sleep(50);
    met = await done();
  }
  await queue.close();
  await worker.close();
  await redis.quit();
  return { finished, seen, timedOut: !met };
}

const commands = {
  add: () => withQueue(async queue => {
    const ids = [];
    for (const job of args.jobs) ids.push((await queue.add(job.name, job.data, job.opts || {})).id);
    return { ids };
  }),
  counts: () => withQueue(queue => queue.getJobCounts()),
  isPaused: () => withQueue(async queue => ({ paused: await queue.isPaused() })),
  // The queue's workers as BullMQ finds them: the CLIENT LIST entries whose connection name is the queue's.
  workers: () => withQueue(async queue => ({
    workers: (await queue.getWorkers()).map(client => ({ rawname: client.rawname, addr: client.addr })),
  })),
  pause: () => withQueue(async queue => { await queue.pause(); return {}; }),
  resume: () => withQueue(async queue => { await queue.resume(); return {}; }),
  job: () => withQueue(async queue => {
    const job = await queue.getJob(args.id);
    if (!job) return { missing: true };
    return { id: job.id, name: job.name, data: job.data, opts: job.opts, state: await job.getState(),
             returnvalue: job.returnvalue, failedReason: job.failedReason, attemptsMade: job.attemptsMade,
             stacktrace: job.stacktrace, delay: job.delay, priority: job.priority, timestamp: job.timestamp };
  }),
  work,
};

(async () => {
  try {
    const result = await commands[command]();
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(0);
  } catch (error) {
    process.stderr.write(`driver ${command} failed: ${error && error.stack || error}\n`);
    process.exit(1);
  }
})();
