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

/** Redis's own clock in unix ms (every expiry below is kept by it, as PXAT's are). */
const REDIS_NOW_MS = `
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * A customer's cutoff: the later of the stored and the given time wins, and so does the later expiry, whatever
 * order the calls arrive in (a plain SET would keep the last write). ARGV[1] = unix seconds, ARGV[2] = expiry,
 * unix ms. Returns the cutoff now stored.
 */
export const RAISE_CUTOFF = script(`${REDIS_NOW_MS}
local current = redis.call('GET', KEYS[1])
local value = ARGV[1]
local untilMs = tonumber(ARGV[2])
if current and tonumber(current) and tonumber(current) > tonumber(value) then value = current end
local pttl = redis.call('PTTL', KEYS[1])
if current and pttl > 0 and nowMs + pttl > untilMs then untilMs = nowMs + pttl end
if untilMs <= nowMs then return false end
redis.call('SET', KEYS[1], value, 'PXAT', untilMs)
return value
`);

/**
 * One customer's revoked sessions, a hash of `sessionId → issuedAt:expiresAtMs` holding at most ARGV[4] live
 * fields (expired ones are dropped here; the key expires with its longest-lived field). ARGV[1] = session id,
 * ARGV[2] = issued at (unix seconds), ARGV[3] = expiry (unix ms). Returns nil once stored (or when the session
 * has already expired); when the hash is full, stores nothing and returns the latest `issuedAt` among its
 * fields and this session: the caller raises the customer's cutoff to it, then clears the hash up to it.
 */
export const REVOKE_SESSION = script(`${REDIS_NOW_MS}
local expiresMs = tonumber(ARGV[3])
if expiresMs <= nowMs then return false end
local fields = redis.call('HGETALL', KEYS[1])
local live = 0
local known = false
local latest = tonumber(ARGV[2])
for i = 1, #fields, 2 do
  local issued, expires = string.match(fields[i + 1], '^(%d+):(%d+)$')
  if not expires or tonumber(expires) <= nowMs then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    live = live + 1
    if fields[i] == ARGV[1] then known = true end
    if tonumber(issued) > latest then latest = tonumber(issued) end
  end
end
if known or live < tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
  local pttl = redis.call('PTTL', KEYS[1])
  if pttl < 0 or nowMs + pttl < expiresMs then redis.call('PEXPIREAT', KEYS[1], expiresMs) end
  return false
end
return latest
`);

/** After a collapse: drops the revoked sessions issued at or before ARGV[1] (the cutoff now covers them). */
export const CLEAR_REVOKED_UPTO = script(`
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local issued = tonumber(string.match(fields[i + 1], '^(%d+):'))
  if not issued or issued <= tonumber(ARGV[1]) then redis.call('HDEL', KEYS[1], fields[i]) end
end
return redis.call('HLEN', KEYS[1])
`);

/** Whether one session is among its customer's live revoked sessions. ARGV[1] = session id. */
export const IS_SESSION_REVOKED = script(`${REDIS_NOW_MS}
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then return 0 end
local expires = tonumber(string.match(value, ':(%d+)$'))
if expires and expires > nowMs then return 1 end
return 0
`);
