import { createClient } from 'redis';
import { StoreUnavailableError } from './types';

export type RedisClient = ReturnType<typeof createClient>;

/** One finished Redis command, for metrics (the stores themselves log nothing). */
export interface RedisCommandEvent {
  command: string;
  ok: boolean;
  durationMs: number;
}

/** A change of the connection, for logs: `error` repeats on every failed reconnection attempt. */
export interface RedisConnectionEvent {
  state: 'ready' | 'reconnecting' | 'error';
  error?: Error;
}

export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` (TLS), with credentials and database in the URL as node-redis reads them. */
  url: string;
  /** Deadline of each command, from the call until the reply (default 500 ms). */
  commandTimeoutMs?: number;
  /** Deadline of one TCP (+TLS) connection attempt (default 2000 ms). */
  connectTimeoutMs?: number;
  observe?: (event: RedisCommandEvent) => void;
  onConnectionEvent?: (event: RedisConnectionEvent) => void;
}

/** Runs commands with a deadline each; every failure becomes StoreUnavailableError(store). */
export interface RedisConnection {
  run<T>(store: string, command: string, send: (client: RedisClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 500;
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/** Longest pause between reconnection attempts: once Redis is back, the gateway finds it within ~2 s. */
export const MAX_RECONNECT_DELAY_MS = 2000;
/**
 * Bound on commands written but not yet answered: when Redis hangs with the connection open (a stopped
 * process, a lost network path), each caller gets its timeout, but the client still waits for the replies;
 * this bound keeps that backlog, and the memory it holds, finite.
 */
export const MAX_PENDING_COMMANDS = 10_000;

export const CLIENT_NAME = 'storefront-gateway';

class CommandTimeoutError extends Error {
  constructor(command: string, timeoutMs: number) {
    super(`Redis ${command} got no reply within ${timeoutMs} ms`);
    this.name = 'CommandTimeoutError';
  }
}

/** Exponential backoff from 50 ms up to MAX_RECONNECT_DELAY_MS, with jitter, and never giving up. */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100);
}

function safely(callback: () => void): void {
  try {
    callback();
  } catch {
    // A throwing metrics or log hook must not turn a Redis answer into a failure.
  }
}

/**
 * Opens a node-redis client for the stores.
 *
 * - The offline queue is off: while the connection is down, commands fail at once instead of waiting
 *   (unbounded, and with no deadline) for a reconnection. The gateway fails closed with UNAVAILABLE.
 * - Every command gets a deadline of its own. node-redis' own `timeout` option only covers a command still
 *   waiting to be written, not one written to a Redis that never answers, hence the timer here; an abort
 *   signal additionally drops a timed-out command that was never written, so it cannot run later.
 * - Reconnection is automatic (reconnectDelay) and never gives up: no gateway restart is needed when Redis
 *   returns.
 * - 'error' events always have a listener: node-redis emits one per failed attempt, and an EventEmitter
 *   'error' without a listener would crash the process.
 *
 * - A command that timed out after it was written may still run when a hung Redis wakes up (a revocation or
 *   claim then lands late, a counter counts one more): always the fail-closed direction, so it is accepted.
 * - Limit: on a connection that dies without a reset (a network partition), commands fail by their deadline,
 *   but the reconnection starts only once the OS notices the dead socket (TCP retransmission timeout).
 *
 * Start-up does not wait for Redis: the connection is attempted in the background and, until it is up,
 * every command and ping() fails with StoreUnavailableError (the gateway keeps serving guests and /ready
 * reports the outage). The caller may wait for `ready` a little (createRedisStores waits one command
 * timeout) so the first requests after a normal start do not fail needlessly.
 */
export function openRedisConnection(options: RedisConnectionOptions): { connection: RedisConnection; ready: Promise<void> } {
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const client = createClient({
    url: options.url,
    // Also a correctness fix, not only a label in CLIENT LIST: node-redis' default handshake is two
    // CLIENT SETINFO commands whose failures it ignores, so a connection reset during the handshake (Redis
    // dying while it accepted the reconnection: the usual case on a restart) still ended in 'ready' on a
    // dead socket, and every later command timed out for good. CLIENT SETNAME has no such error handler: its
    // failure fails the handshake, and node-redis tries again.
    name: CLIENT_NAME,
    disableOfflineQueue: true,
    commandsQueueMaxLength: MAX_PENDING_COMMANDS,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      reconnectStrategy: reconnectDelay,
    },
  });
  const report = (event: RedisConnectionEvent) => {
    const hook = options.onConnectionEvent;
    if (hook) safely(() => hook(event));
  };
  client.on('error', (error: Error) => report({ state: 'error', error }));
  client.on('reconnecting', () => report({ state: 'reconnecting' }));
  client.on('ready', () => report({ state: 'ready' }));

  let closed = false;
  const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
  // connect() settles only once connected (or closed); its failures are already reported as 'error' events.
  client.connect().catch(() => undefined);

  const inFlight = new Set<Promise<unknown>>();
  const observe = (command: string, ok: boolean, started: number) => {
    const hook = options.observe;
    if (hook) safely(() => hook({ command, ok, durationMs: performance.now() - started }));
  };

  function withDeadline<T>(command: string, send: (client: RedisClient) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        abort.abort();
        reject(new CommandTimeoutError(command, commandTimeoutMs));
      }, commandTimeoutMs);
      // Both outcomes are handled here, so a reply (or error) arriving after the deadline is dropped quietly
      // and never becomes an unhandled rejection.
      Promise.resolve()
        .then(() => send(client.withAbortSignal(abort.signal)))
        .then(
          (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
    });
  }

  const connection: RedisConnection = {
    async run(store, command, send) {
      const started = performance.now();
      if (closed) {
        observe(command, false, started);
        throw new StoreUnavailableError(store, new Error('Redis connection closed'));
      }
      const attempt = withDeadline(command, send);
      inFlight.add(attempt);
      try {
        const value = await attempt;
        observe(command, true, started);
        return value;
      } catch (error) {
        observe(command, false, started);
        throw new StoreUnavailableError(store, error);
      } finally {
        inFlight.delete(attempt);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // Let commands already sent get their answer (each settles within its deadline), then drop the
      // socket. destroy(), not close(): close() waits for every reply owed, which never comes from a hung
      // Redis, and it also stops the reconnection loop when Redis is down.
      await Promise.allSettled([...inFlight]);
      if (client.isOpen) client.destroy();
    },
  };
  return { connection, ready };
}
