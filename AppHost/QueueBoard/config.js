// The queue board's settings, read from the environment the AppHost gives it. A bad value throws a ConfigError whose
// message is the one line the server prints before it exits.
'use strict';

class ConfigError extends Error {}

// The same rule as the C# client's QueueKeys: names that BullMQ and the Redis tools handle without surprises.
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const DEFAULT_REDIS_PORT = 6379;

function parsePort(text, what) {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new ConfigError(`${what} must be a port number from 1 to 65535, not '${text}'`);
  }
  return Number(text);
}

// "host", "host:port", "[::1]:port" or a bare IPv6 address.
function parseEndpoint(text) {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    return { host: bracketed[1], port: bracketed[2] === undefined ? DEFAULT_REDIS_PORT : parsePort(bracketed[2], `The Redis port in '${text}'`) };
  }
  const colons = text.split(':').length - 1;
  if (colons === 0) return { host: text, port: DEFAULT_REDIS_PORT };
  if (colons > 1) return { host: text, port: DEFAULT_REDIS_PORT };
  const [host, port] = text.split(':');
  if (!host) throw new ConfigError(`The Redis endpoint '${text}' has no host`);
  return { host, port: parsePort(port, `The Redis port in '${text}'`) };
}

function parseBoolean(text, what) {
  switch (text.trim().toLowerCase()) {
    case 'true': return true;
    case 'false': return false;
    default: throw new ConfigError(`${what} must be true or false, not '${text}'`);
  }
}

// A StackExchange.Redis configuration string, as Aspire gives a referenced Redis: endpoints and key=value options
// separated by commas, keys case-insensitive. Only what the board needs is read; a second endpoint (a cluster or
// sentinel setup) is refused rather than half-used.
function parseRedisConnectionString(text) {
  if (!text || !text.trim()) {
    throw new ConfigError('ConnectionStrings__redis is not set; reference the Redis resource (WithReference(redis))');
  }
  const endpoints = [];
  const options = {};
  for (const part of text.split(',').map(p => p.trim()).filter(p => p.length > 0)) {
    const equals = part.indexOf('=');
    if (equals < 0) {
      endpoints.push(parseEndpoint(part));
      continue;
    }
    const key = part.slice(0, equals).trim().toLowerCase();
    const value = part.slice(equals + 1).trim();
    switch (key) {
      case 'password': options.password = value; break;
      case 'user': options.username = value; break;
      case 'ssl': if (parseBoolean(value, 'ssl in ConnectionStrings__redis')) options.tls = {}; break;
      case 'sslhost': options.tlsServername = value; break;
      case 'defaultdatabase':
        if (!/^\d+$/.test(value)) throw new ConfigError(`defaultDatabase in ConnectionStrings__redis must be a number, not '${value}'`);
        options.db = Number(value);
        break;
      case 'servicename': throw new ConfigError('ConnectionStrings__redis names a Sentinel service; the queue board needs one Redis endpoint');
      default: break; // timeouts, client names and the like are the client's business.
    }
  }
  if (endpoints.length !== 1) {
    // Names the endpoints only: the rest of the string may hold the password, and this line lands in the logs.
    const named = endpoints.map(e => `${e.host}:${e.port}`).join(', ');
    throw new ConfigError(`ConnectionStrings__redis must name exactly one Redis endpoint (host:port), not ${endpoints.length}${named ? `: ${named}` : ''}`);
  }
  const { tlsServername, ...rest } = options;
  const connection = { ...endpoints[0], ...rest };
  if (tlsServername && connection.tls) connection.tls = { servername: tlsServername };
  return connection;
}

function parseQueues(text) {
  const queues = (text || '').split(',').map(q => q.trim()).filter(q => q.length > 0);
  if (queues.length === 0) {
    throw new ConfigError('QUEUE_BOARD_QUEUES is not set; give the queue names separated by commas');
  }
  const invalid = queues.find(q => !QUEUE_NAME.test(q));
  if (invalid !== undefined) {
    throw new ConfigError(`Queue name '${invalid}' in QUEUE_BOARD_QUEUES is invalid: use 1 to 100 letters, digits, '.', '_' or '-'`);
  }
  return [...new Set(queues)];
}

function readConfig(env) {
  if (!env.PORT) throw new ConfigError('PORT is not set; the board needs the port to listen on');
  return {
    port: parsePort(env.PORT, 'PORT'),
    redis: parseRedisConnectionString(env.ConnectionStrings__redis),
    queues: parseQueues(env.QUEUE_BOARD_QUEUES),
    // Read-only unless asked: the board is for looking, the runbook is for changing queues.
    readOnly: env.QUEUE_BOARD_READ_ONLY === undefined || env.QUEUE_BOARD_READ_ONLY === ''
      ? true
      : parseBoolean(env.QUEUE_BOARD_READ_ONLY, 'QUEUE_BOARD_READ_ONLY'),
  };
}

module.exports = { ConfigError, readConfig, parseRedisConnectionString };
