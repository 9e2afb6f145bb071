/**
 * The Redis connection of an experiment queue (`--queue redis://HOST:PORT[/DB]`). A client is
 * opened, and Redis answers a PING, before anything is enqueued or taken: an unreachable server is
 * one line naming the URL, not the endless reconnecting ioredis does by default.
 */
import { Redis } from 'ioredis';
import { errorMessage, UserError } from '../../util/errors.js';

/** How long a connection attempt may take before Redis counts as unreachable. */
const CONNECT_TIMEOUT_MS = 3000;
/** After a connection was up: reconnect attempts (one a second) before the command gives up. */
const RECONNECT_ATTEMPTS = 30;

/** Checks `url` is a redis:// URL with a host and, if given, a numeric database; returns it parsed. */
export function parseQueueUrl(url: string, flag = '--queue'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`${flag} ${url}: expected a Redis URL, e.g. redis://localhost:6379 or redis://host:6379/2`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new UserError(`${flag} ${url}: expected a redis:// or rediss:// URL, e.g. redis://localhost:6379`);
  if (parsed.hostname === '') throw new UserError(`${flag} ${url}: the URL names no host, e.g. redis://localhost:6379`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new UserError(`${flag} ${url}: the database after the port is a number, e.g. redis://localhost:6379/2`);
  return parsed;
}

/**
 * A connected client for BullMQ (which needs maxRetriesPerRequest: null); a UserError naming `url`
 * when Redis cannot be reached within CONNECT_TIMEOUT_MS.
 */
export async function connectRedis(url: string, flag = '--queue'): Promise<Redis> {
  parseQueueUrl(url, flag);
  let connected = false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: null,
    // None before the first connection (the check below reports it); a few once it was up.
    retryStrategy: (times) => (connected && times <= RECONNECT_ATTEMPTS ? 1000 : null),
  });
  // ioredis reports why a connection failed as an event; the awaited call only says it closed.
  let reason: string | undefined;
  client.on('error', (error: unknown) => {
    reason ??= errorMessage(error);
  });
  try {
    await client.connect();
    await client.ping();
    connected = true;
    return client;
  } catch (error) {
    client.disconnect();
    throw new UserError(`${flag} ${url}: cannot reach Redis (${reason ?? errorMessage(error)}); is redis-server running there?`);
  }
}
