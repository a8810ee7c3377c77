import { createMemoryStores } from '../../src/state/memory';
import { createRedisStores } from '../../src/state/redis';
import type { GatewayStores } from '../../src/state/types';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';

/** One implementation of the stores as the contract suite sees it. */
export interface Backend {
  name: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /**
   * Stores of one namespace (a key prefix for Redis). Opening the same namespace again gives another
   * "gateway instance" on the same shared state (for memory, which is one process's state, the same stores).
   */
  open(namespace: string): Promise<GatewayStores>;
  now(): number;
  /** Lets time pass until `at` (unix ms): moves the injected clock, or waits for the real one (Redis). */
  passTime(at: number): Promise<void>;
  /** How far CounterWindow.resetAt may be from `now() + windowMs`: 0 with an injected clock. */
  clockSlackMs: number;
  /** The Redis server, for checks on the raw keys; undefined for memory. */
  redis?: () => RedisServer;
}

export function memoryBackend(): Backend {
  let clock = 1_700_000_000_000;
  const stores = new Map<string, GatewayStores>();
  return {
    name: 'memory',
    setUp: async () => undefined,
    tearDown: async () => undefined,
    async open(namespace) {
      const existing = stores.get(namespace);
      if (existing) return existing;
      const created = createMemoryStores(() => clock);
      stores.set(namespace, created);
      return created;
    },
    now: () => clock,
    async passTime(at) {
      clock = Math.max(clock, at);
    },
    clockSlackMs: 0,
  };
}

export const testPrefix = (namespace: string) => `sfgw-test-${namespace}:`;

export function redisBackend(): Backend {
  let server: RedisServer | undefined;
  const opened: GatewayStores[] = [];
  const running = () => {
    if (!server) throw new Error('redis-server not started');
    return server;
  };
  return {
    name: 'redis',
    async setUp() {
      server = await startRedisServer();
    },
    async tearDown() {
      await Promise.all(opened.map((stores) => stores.close()));
      await server?.stop();
    },
    async open(namespace) {
      // A generous command timeout: this suite checks behaviour, not latency, on a possibly busy CI machine.
      const stores = await createRedisStores({ url: running().url, keyPrefix: testPrefix(namespace), commandTimeoutMs: 5000 });
      opened.push(stores);
      return stores;
    },
    now: () => Date.now(),
    async passTime(at) {
      // Redis checks a key's expiry against its own clock (the same machine's) on every access, to the
      // millisecond: waiting a little past `at` is enough, no polling needed.
      const wait = at - Date.now() + 50;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
    clockSlackMs: 100,
    redis: running,
  };
}
