import { randomUUID } from 'node:crypto';
import { ErrorReply } from 'redis';
import { openRedisConnection, type RedisClient, type RedisCommandEvent, type RedisConnection, type RedisConnectionEvent } from './redis-client';
import { redisKey } from './redis-keys';
import {
  CLEAR_REVOKED_UPTO,
  INCREMENT_WINDOW,
  IS_SESSION_REVOKED,
  PEEK_WINDOW,
  RAISE_CUTOFF,
  REVOKE_SESSION,
  STATE_SINCE,
  type SingleKeyScript,
} from './redis-scripts';
import { REVOCATIONS_PER_CUSTOMER, type CacheStore, type CounterStore, type CounterWindow, type GatewayStores, type RevocationStore, type SpentTokenStore } from './types';

export type { RedisCommandEvent, RedisConnectionEvent } from './redis-client';

export interface RedisStoresOptions {
  /** `redis://` or `rediss://` URL (credentials and database number in the URL). */
  url: string;
  /** Every key the gateway writes starts with it (config default `sfgw:`), so several deployments can share a Redis. */
  keyPrefix: string;
  /** Deadline of each command (default 500 ms): past it the store method rejects with StoreUnavailableError. */
  commandTimeoutMs?: number;
  /** Deadline of one connection attempt (default 2000 ms). */
  connectTimeoutMs?: number;
  /** Clock for CounterWindow.resetAt (unix ms); expiries themselves are kept by Redis. */
  now?: () => number;
  /** Called after every command (metrics). */
  observe?: (event: RedisCommandEvent) => void;
  /** Called on connection changes and errors (logs); the stores log nothing themselves. */
  onConnectionEvent?: (event: RedisConnectionEvent) => void;
}

/** Absolute expiry for `SET ... PXAT`; NaN or infinity is a caller bug, not an outage. */
function expiryMs(seconds: number): number {
  if (!Number.isFinite(seconds)) throw new RangeError(`expiry must be a finite number of seconds, got ${seconds}`);
  // PXAT must be positive; any past time makes Redis drop the key at once, as the memory store forgets it.
  return Math.max(1, Math.ceil(seconds * 1000));
}

/** EVALSHA, falling back to EVAL when Redis lost its script cache (restart, SCRIPT FLUSH, failover). */
async function evalScript(client: RedisClient, script: SingleKeyScript, key: string, args: string[]): Promise<unknown> {
  const options = { keys: [key], arguments: args };
  try {
    return await client.evalSha(script.sha1, options);
  } catch (error) {
    if (!(error instanceof ErrorReply) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script.source, options);
  }
}

function windowReply(reply: unknown, now: number): CounterWindow | undefined {
  if (reply === null) return undefined;
  if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
    throw new Error('unexpected reply from the counter script');
  }
  // A negative PTTL (no expiry) cannot come from this gateway's writes; report the window as ending now.
  return { count: reply[0], resetAt: now + Math.max(0, reply[1]) };
}

function revocationStore(redis: RedisConnection, keyPrefix: string): RevocationStore {
  const store = 'revocation store';
  const cutoffKey = (customerId: number) => redisKey(keyPrefix, 'revoked', `customer:${customerId}`);
  const sessionsKey = (customerId: number) => redisKey(keyPrefix, 'revoked', `sessions-of:${customerId}`);
  const raiseCutoff = (customerId: number, atSeconds: number, untilMs: number) =>
    redis.run(store, 'EVALSHA', (client) => evalScript(client, RAISE_CUTOFF, cutoffKey(customerId), [String(Math.floor(atSeconds)), String(untilMs)]));
  return {
    async revoke({ sessionId, customerId, issuedAt, expiresAt, cutoffUntil }) {
      const expires = expiryMs(expiresAt);
      // Awaiting the reply: the logout reports success only once Redis holds the revocation (or the cutoff).
      const reply = await redis.run(store, 'EVALSHA', (client) =>
        evalScript(client, REVOKE_SESSION, sessionsKey(customerId), [sessionId, String(Math.floor(issuedAt)), String(expires), String(REVOCATIONS_PER_CUSTOMER)]),
      );
      if (reply === null) return;
      if (typeof reply !== 'number') throw new Error('unexpected reply from the revocation script');
      // The hash is full: the cutoff takes over (written first, so the sessions stay ended in between).
      await raiseCutoff(customerId, reply, Math.max(expires, expiryMs(cutoffUntil)));
      await redis.run(store, 'EVALSHA', (client) => evalScript(client, CLEAR_REVOKED_UPTO, sessionsKey(customerId), [String(reply)]));
    },
    async isRevoked({ sessionId, customerId }) {
      const found = await redis.run(store, 'EVALSHA', (client) => evalScript(client, IS_SESSION_REVOKED, sessionsKey(customerId), [sessionId]));
      return found === 1;
    },
    async revokeCustomer(customerId, atSeconds, untilSeconds) {
      await raiseCutoff(customerId, atSeconds, expiryMs(untilSeconds));
    },
    async customerRevokedAt(customerId) {
      const value = await redis.run(store, 'GET', (client) => client.get(cutoffKey(customerId)));
      const at = Number(value);
      return typeof value === 'string' && Number.isFinite(at) ? at : undefined;
    },
  };
}

function singleUseStore(redis: RedisConnection, keyPrefix: string): SpentTokenStore {
  const store = 'single-use store';
  return {
    async claim(id, forgetAtSeconds) {
      const at = expiryMs(forgetAtSeconds);
      // SET NX decides the winner inside Redis: of any number of concurrent claims, on any instance, one gets OK.
      const reply = await redis.run(store, 'SET', (client) =>
        client.set(redisKey(keyPrefix, 'claimed', id), '1', { condition: 'NX', expiration: { type: 'PXAT', value: at } }),
      );
      return reply === 'OK';
    },
    async isClaimed(id) {
      const found = await redis.run(store, 'EXISTS', (client) => client.exists(redisKey(keyPrefix, 'claimed', id)));
      return found === 1;
    },
  };
}

function counterStore(redis: RedisConnection, keyPrefix: string, now: () => number): CounterStore {
  const store = 'counter store';
  return {
    async increment(key, windowMs) {
      const window = String(Math.max(1, Math.ceil(windowMs)));
      const reply = await redis.run(store, 'EVALSHA', (client) =>
        evalScript(client, INCREMENT_WINDOW, redisKey(keyPrefix, 'counter', key), [window]),
      );
      const result = windowReply(reply, now());
      if (!result) throw new Error('unexpected empty reply from the increment script');
      return result;
    },
    async peek(key) {
      const reply = await redis.run(store, 'EVALSHA', (client) => evalScript(client, PEEK_WINDOW, redisKey(keyPrefix, 'counter', key), []));
      return windowReply(reply, now());
    },
    async reset(key) {
      await redis.run(store, 'DEL', (client) => client.del(redisKey(keyPrefix, 'counter', key)));
    },
  };
}

/**
 * How long an epoch is kept after its last bump. Far longer than any entry lives (GATEWAY_CACHE_TTL_SECONDS is at
 * most a day): when an idle epoch finally expires and reads as '0' again, every entry written under an earlier
 * value of it has long expired, so none can come back.
 */
export const EPOCH_TTL_MS = 30 * 86_400_000;

function cacheStore(redis: RedisConnection, keyPrefix: string): CacheStore {
  const store = 'cache store';
  return {
    async get(key) {
      const value = await redis.run(store, 'GET', (client) => client.get(redisKey(keyPrefix, 'cache', key)));
      return typeof value === 'string' ? value : undefined;
    },
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      await redis.run(store, 'SET', (client) =>
        client.set(redisKey(keyPrefix, 'cache', key), value, { expiration: { type: 'PX', value: Math.ceil(ttlMs) } }),
      );
    },
    async readEpochs(names) {
      // One GET per epoch rather than MGET: single-key commands work on Redis Cluster whatever slot each key
      // hashes to; node-redis writes commands issued together in one go (pipelining), so this is one round trip.
      const values = await Promise.all(
        names.map((name) => redis.run(store, 'GET', (client) => client.get(redisKey(keyPrefix, 'epoch', name)))),
      );
      return values.map((value) => (typeof value === 'string' ? value : '0'));
    },
    async bumpEpoch(name) {
      // A value never used before (not INCR): a counter that expired and restarted could repeat an old value.
      await redis.run(store, 'SET', (client) =>
        client.set(redisKey(keyPrefix, 'epoch', name), randomUUID(), { expiration: { type: 'PX', value: EPOCH_TTL_MS } }),
      );
    },
    bytesHeld: () => undefined,
  };
}

/**
 * How long the state marker lives without being read: longer than any session (GATEWAY_SESSION_TTL_SECONDS is at
 * most 30 days), so when it expires unread no session that could be older than it is still valid.
 */
const STATE_MARKER_TTL_MS = 31 * 86_400_000;
/** An instance re-reads the marker at most this often: data loss is noticed within a second. */
const STATE_MARKER_MEMO_MS = 1000;

function stateSinceReader(redis: RedisConnection, keyPrefix: string, now: () => number): () => Promise<number> {
  let memo: { since: number; readAt: number } | undefined;
  return async () => {
    if (memo && now() - memo.readAt < STATE_MARKER_MEMO_MS) return memo.since;
    const reply = await redis.run('state marker', 'EVALSHA', (client) =>
      evalScript(client, STATE_SINCE, redisKey(keyPrefix, 'state', 'since'), [String(Math.floor(now() / 1000)), String(STATE_MARKER_TTL_MS)]),
    );
    const since = Number(reply);
    if (!Number.isFinite(since)) throw new Error('unexpected reply from the state marker script');
    memo = { since, readAt: now() };
    return since;
  };
}

/**
 * Shared state in Redis, for several gateway instances. Single-key commands only (works on Redis Cluster),
 * every key under `keyPrefix` and with an expiry. Each method rejects with StoreUnavailableError within
 * about `commandTimeoutMs` when Redis is down, slow or unreachable; the connection comes back by itself.
 *
 * Does not wait for Redis beyond one command timeout: when Redis is unreachable at start-up the stores are
 * returned anyway and report the outage through ping() and their methods until the background connection
 * succeeds (the gateway still serves guests meanwhile). A malformed URL still rejects at once.
 */
export async function createRedisStores(options: RedisStoresOptions): Promise<GatewayStores> {
  const { connection, ready } = openRedisConnection(options);
  const now = options.now ?? Date.now;
  let waited: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([ready, new Promise<void>((resolve) => (waited = setTimeout(resolve, options.commandTimeoutMs ?? 500)))]);
  clearTimeout(waited);
  const stateSince = stateSinceReader(connection, options.keyPrefix, now);
  // Set the marker now, before this instance issues any session: created lazily, it would postdate (and so
  // refuse) the sessions issued before the first check. Redis being down here is reported by the methods later.
  await stateSince().catch(() => undefined);
  return {
    kind: 'redis',
    revocations: revocationStore(connection, options.keyPrefix),
    singleUse: singleUseStore(connection, options.keyPrefix),
    counters: counterStore(connection, options.keyPrefix, now),
    cache: cacheStore(connection, options.keyPrefix),
    stateSince,
    async ping() {
      await connection.run('redis', 'PING', (client) => client.ping());
    },
    close: () => connection.close(),
  };
}
