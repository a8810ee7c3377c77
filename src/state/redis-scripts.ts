import { createHash } from 'node:crypto';

/** A Lua script that touches exactly one key (KEYS[1]): valid on a single Redis and on Redis Cluster alike. */
export interface SingleKeyScript {
  source: string;
  sha1: string;
}

function script(source: string): SingleKeyScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * Fixed-window increment: INCR, and start the window's expiry when the key has none. One script so the
 * count and its expiry change atomically (two instances incrementing at the same moment each get their own
 * count, and a crash between INCR and PEXPIRE cannot leave a counter that never expires). Checking
 * `PTTL < 0` rather than `count == 1` also repairs a key that lost its expiry some other way: every key
 * this gateway writes expires. Returns `{count, pttl}`.
 *
 * A hand-written script rather than rate-limiter-flexible's RateLimiterRedis: that library fixes the window
 * length per limiter instance (seconds-based `duration`) and answers "allowed or not", whereas CounterStore
 * takes the window per call and returns the raw count and window end, plus peek/reset; its Redis store does
 * the same INCR + PEXPIRE in a script of its own, so it would add a layer without removing any logic.
 */
export const INCREMENT_WINDOW = script(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`);

/** Reads a window's count and remaining time in one step (the key cannot expire between the two reads). */
export const PEEK_WINDOW = script(`
local count = redis.call('GET', KEYS[1])
if not count then return false end
return {tonumber(count), redis.call('PTTL', KEYS[1])}
`);

/**
 * The marker of complete state: its value is the unix second since which Redis holds everything the gateway
 * wrote. Read (and kept alive) when present; when missing — first use, or Redis lost its data — set to now.
 * ARGV[1] = now in seconds, ARGV[2] = expiry in ms. Returns the marker's value.
 */
export const STATE_SINCE = script(`
local since = redis.call('GET', KEYS[1])
if since then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return since
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`);
