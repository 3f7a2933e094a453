// The BullMQ side of the queue benchmark: the same three measurements as Program.cs, printed as one JSON line.
// Usage: node bullmq-bench.js <redis port> <jobs> <latency rate per s> <latency seconds>
'use strict';
const path = require('path');
const { Queue, Worker } = require(path.join(__dirname, '..', '..', 'BullMq.Tests', 'interop', 'node_modules', 'bullmq'));

const [port, jobs, rate, seconds] = process.argv.slice(2).map(Number);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const sleep = ms => new Promise(r => setTimeout(r, ms));
const name = label => `bench-bullmq-${label}-${Date.now()}`;

async function addRate() {
  const queue = new Queue(name('add'), { connection });
  await queue.waitUntilReady();
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < jobs) { next++; await queue.add('e', { n: next }); }
  }));
  const rateOut = jobs / (Number(process.hrtime.bigint() - started) / 1e9);
  await queue.obliterate({ force: true }); await queue.close();
  return rateOut;
}

async function processRate(concurrency) {
  const queue = new Queue(name(`process${concurrency}`), { connection });
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: 'e', data: { n: i + k } })));
  }
  let done = 0;
  let resolveAll;
  const all = new Promise(r => { resolveAll = r; });
  const worker = new Worker(queue.name, async () => null, { connection, concurrency, autorun: false });
  worker.on('completed', () => { if (++done === jobs) resolveAll(); });
  const started = process.hrtime.bigint();
  worker.run();
  await all;
  const rateOut = jobs / (Number(process.hrtime.bigint() - started) / 1e9);
  await worker.close(); await queue.obliterate({ force: true }); await queue.close();
  return rateOut;
}

async function latency() {
  const queue = new Queue(name('latency'), { connection });
  const samples = [];
  const worker = new Worker(queue.name, async job => { samples.push(Date.now() - job.data.sentAt); return null; }, { connection, concurrency: 16 });
  await worker.waitUntilReady(); await sleep(500);
  const total = rate * seconds;
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    queue.add('e', { sentAt: Date.now() });
  }
  const deadline = Date.now() + 30000;
  while (samples.length < total && Date.now() < deadline) await sleep(20);
  await worker.close(); await queue.obliterate({ force: true }); await queue.close();
  samples.sort((a, b) => a - b);
  const pct = p => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))];
  return { p50: pct(0.5), p99: pct(0.99), count: samples.length };
}

(async () => {
  const result = { add: await addRate(), process1: await processRate(1), process16: await processRate(16), latency: await latency() };
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
})().catch(e => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
