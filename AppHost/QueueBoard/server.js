// bull-board over the sandbox's queues. Started by the AppHost (AppHost/QueueBoard/QueueBoardExtensions.cs) with
// PORT, ConnectionStrings__redis, QUEUE_BOARD_QUEUES and QUEUE_BOARD_READ_ONLY; see config.js.
'use strict';
const { ConfigError, readConfig } = require('./config');

function fail(message, code) {
  process.stderr.write(`queue-board: ${message}\n`);
  process.exit(code);
}

let config;
try {
  config = readConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message, 2);
  throw error;
}

const express = require('express');
const Redis = require('ioredis');
const { Queue } = require('bullmq');
const { createBullBoard } = require('@bull-board/api');
const { BullMQAdapter } = require('@bull-board/api/bullMQAdapter');
const { ExpressAdapter } = require('@bull-board/express');

const HEALTH_TIMEOUT_MS = 2000;

// One connection for every queue, named so CLIENT LIST tells it apart from the workers (getWorkers() ignores it);
// while Redis is away a request fails after one retry instead of hanging the page.
const redis = new Redis({ ...config.redis, connectionName: 'queue-board', maxRetriesPerRequest: 1 });
let lastRedisError = null;
redis.on('error', error => {
  // ioredis reconnects by itself; report each distinct problem once instead of once per attempt.
  if (error.message !== lastRedisError) {
    lastRedisError = error.message;
    process.stderr.write(`queue-board: Redis at ${config.redis.host}:${config.redis.port}: ${error.message}\n`);
  }
});
redis.on('ready', () => { lastRedisError = null; });

const queues = config.queues.map(name => new Queue(name, { connection: redis }));
const serverAdapter = new ExpressAdapter();
serverAdapter.setBasePath('/');
createBullBoard({
  queues: queues.map(queue => new BullMQAdapter(queue, { readOnlyMode: config.readOnly })),
  serverAdapter,
  // Read-only mode hides the board's action buttons; the title stays short enough for its sidebar.
  options: { uiConfig: { boardTitle: 'Sandbox queues' } },
});

const app = express();
// Healthy while Redis answers: a board that cannot reach its queues shows nothing true.
app.get('/health', async (_request, response) => {
  let timer;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no answer')), HEALTH_TIMEOUT_MS); }),
    ]);
    response.type('text').send('Healthy');
  } catch (error) {
    response.status(503).type('text').send(`Unhealthy: Redis ${error.message}`);
  } finally {
    clearTimeout(timer);
  }
});
app.use('/', serverAdapter.getRouter());

const server = app.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`queue-board: listening on http://127.0.0.1:${config.port} for ${config.queues.join(', ')}` +
    ` (${config.readOnly ? 'read-only' : 'writes allowed'})\n`);
});
server.on('error', error => fail(`cannot listen on port ${config.port}: ${error.message}`, 1));

async function stop() {
  server.close();
  await Promise.allSettled(queues.map(queue => queue.close()));
  redis.disconnect();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
