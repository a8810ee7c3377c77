import { createRedisStores, type RedisCommandEvent, type RedisConnectionEvent } from '../../src/state/redis';
import { StoreUnavailableError, type GatewayStores } from '../../src/state/types';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';
import { revocationOf, sessionRef } from '../helpers/revocations';

/**
 * The Redis stores when Redis goes away, hangs, comes back empty or is not there at start-up: every method
 * fails promptly with StoreUnavailableError (the gateway answers UNAVAILABLE), nothing hangs or queues, and
 * the same stores work again once Redis is back.
 *
 * "No unhandled rejection, the process stays up" needs no assertion of its own: jest-circus fails the
 * running test on any unhandled rejection, and an 'error' event without a listener would throw out of
 * node-redis' socket handlers and take the test worker down.
 */

const COMMAND_TIMEOUT_MS = 200;
/** Far above the command timeout: tells "settled" from "hangs" without measuring latency. */
const SETTLE_LIMIT_MS = 5_000;
/** Reconnection backoff tops out at ~2 s; this leaves room for a slow machine. */
const RECOVERY_LIMIT_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Outcome = { settled: 'resolved'; value: unknown } | { settled: 'rejected'; error: unknown } | { settled: 'pending' };

async function outcome(promise: Promise<unknown>, limitMs = SETTLE_LIMIT_MS): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ settled: 'pending' }), limitMs)));
  try {
    return await Promise.race([
      promise.then(
        (value): Outcome => ({ settled: 'resolved', value }),
        (error: unknown): Outcome => ({ settled: 'rejected', error }),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One call of every store method, and ping(). */
function everyMethod(stores: GatewayStores): Record<string, () => Promise<unknown>> {
  const later = Math.ceil(Date.now() / 1000) + 600;
  return {
    'revocations.revoke': () => stores.revocations.revoke(revocationOf('session', later)),
    'revocations.isRevoked': () => stores.revocations.isRevoked(sessionRef('session')),
    'singleUse.claim': () => stores.singleUse.claim('jti', later),
    'counters.increment': () => stores.counters.increment('login:ip:127.0.0.1', 60_000),
    'counters.peek': () => stores.counters.peek('login:ip:127.0.0.1'),
    'counters.reset': () => stores.counters.reset('login:ip:127.0.0.1'),
    ping: () => stores.ping(),
  };
}

/** Every method settles, rejecting with StoreUnavailableError (named per method, for a readable failure). */
async function expectAllUnavailable(stores: GatewayStores): Promise<unknown[]> {
  const calls = Object.entries(everyMethod(stores));
  const outcomes = await Promise.all(calls.map(([, call]) => outcome(call())));
  const summary = calls.map(([name], i) => {
    const result = outcomes[i];
    return { name, result: result.settled === 'rejected' && result.error instanceof StoreUnavailableError ? 'StoreUnavailableError' : result };
  });
  expect(summary).toEqual(calls.map(([name]) => ({ name, result: 'StoreUnavailableError' })));
  return outcomes.map((result) => (result.settled === 'rejected' && result.error instanceof Error ? result.error.cause : undefined));
}

/** Every method works (results checked by the caller where they matter). */
async function expectAllWork(stores: GatewayStores): Promise<void> {
  for (const [name, call] of Object.entries(everyMethod(stores))) {
    const result = await outcome(call());
    expect({ name, settled: result.settled }).toEqual({ name, settled: 'resolved' });
  }
}

async function eventually(check: () => Promise<unknown>, limitMs = RECOVERY_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe('redis stores when Redis fails', () => {
  let server: RedisServer;
  const opened: GatewayStores[] = [];
  let prefixes = 0;

  async function open(hooks: { observe?: (event: RedisCommandEvent) => void; onConnectionEvent?: (event: RedisConnectionEvent) => void } = {}) {
    const stores = await createRedisStores({
      url: server.url,
      keyPrefix: `sfgw-failure-${++prefixes}:`,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      ...hooks,
    });
    opened.push(stores);
    return stores;
  }

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    server.resume();
    await Promise.all(opened.splice(0).map((stores) => stores.close()));
  });
  afterAll(() => server.stop());

  it('rejects every method promptly while Redis is down and recovers by itself after a restart on the same port', async () => {
    const events: RedisCommandEvent[] = [];
    const connection: RedisConnectionEvent[] = [];
    const stores = await open({ observe: (event) => events.push(event), onConnectionEvent: (event) => connection.push(event) });
    await expectAllWork(stores); // loads the counter scripts into Redis' script cache

    await server.stop();
    await expectAllUnavailable(stores);
    await expectAllUnavailable(stores); // and again: nothing was queued, nothing got stuck
    expect(events.some((event) => !event.ok)).toBe(true);
    expect(connection.some((event) => event.state === 'error')).toBe(true);

    await server.restart();
    await eventually(() => stores.ping());
    await expectAllWork(stores);
    // The restarted Redis is empty, and lost its script cache: the counter scripts are sent again.
    expect((await stores.counters.increment('after-restart', 60_000)).count).toBe(1);
    expect(connection.some((event) => event.state === 'ready')).toBe(true);
  });

  it('survives repeated crashes: each time down → unavailable, back → working (no connection left half-dead)', async () => {
    const stores = await open();
    for (let round = 1; round <= 3; round++) {
      await stores.counters.increment('rounds', 60_000);
      await server.stop();
      await expectAllUnavailable(stores);
      await server.restart();
      await eventually(() => stores.ping());
      expect((await stores.counters.increment('rounds', 60_000)).count).toBe(1);
    }
  });

  it('times out every method when Redis hangs with the connection open, and answers correctly once it resumes', async () => {
    const stores = await open();
    const later = Math.ceil(Date.now() / 1000) + 600;
    await stores.revocations.revoke(revocationOf('before-hang', later));

    server.pause();
    const causes = await expectAllUnavailable(stores);
    expect(causes.every((cause) => cause instanceof Error && cause.name === 'CommandTimeoutError')).toBe(true);

    server.resume();
    // The replies to the timed-out commands arrive first and are dropped; later calls get their own replies.
    await eventually(() => stores.ping());
    expect(await stores.revocations.isRevoked(sessionRef('before-hang'))).toBe(true);
    expect(await stores.revocations.isRevoked(sessionRef('never-revoked'))).toBe(false);
    expect(await stores.singleUse.claim('fresh-after-hang', later)).toBe(true);
    expect(await stores.counters.peek('fresh-counter')).toBeUndefined();
  });

  it('behaves as empty after FLUSHALL', async () => {
    const stores = await open();
    const later = Math.ceil(Date.now() / 1000) + 600;
    await stores.revocations.revoke(revocationOf('s', later));
    expect(await stores.singleUse.claim('jti', later)).toBe(true);
    await stores.counters.increment('c', 60_000);
    await stores.counters.increment('c', 60_000);

    await server.flushAll();
    expect(await stores.revocations.isRevoked(sessionRef('s'))).toBe(false);
    expect(await stores.counters.peek('c')).toBeUndefined();
    expect((await stores.counters.increment('c', 60_000)).count).toBe(1);
    expect(await stores.singleUse.claim('jti', later)).toBe(true);
    await expect(stores.ping()).resolves.toBeUndefined();
  });

  it('notices lost data: the state marker moves to the moment the loss was noticed, for every instance', async () => {
    let clock = Date.UTC(2031, 0, 1);
    const keyPrefix = `sfgw-marker-${++prefixes}:`;
    const instance = () => createRedisStores({ url: server.url, keyPrefix, commandTimeoutMs: COMMAND_TIMEOUT_MS, now: () => clock });
    const [a, b] = await Promise.all([instance(), instance()]);
    opened.push(a, b);
    const first = await a.stateSince();
    expect(first).toBe(Math.floor(clock / 1000));
    clock += 60_000;
    // Another instance, later, finds the marker and adopts it: nothing was lost.
    expect(await b.stateSince()).toBe(first);

    await server.flushAll();
    clock += 5_000; // past the instances' one-second memo
    const after = await b.stateSince();
    expect(after).toBe(Math.floor(clock / 1000));
    expect(await a.stateSince()).toBe(after);
  });

  it('starts without Redis: returns the stores at once, reports unavailable, and connects when Redis appears', async () => {
    await server.stop();
    const created = await outcome(open());
    expect(created.settled).toBe('resolved');
    const stores = opened[opened.length - 1];
    await expectAllUnavailable(stores);

    await server.restart();
    await eventually(() => stores.ping());
    await expectAllWork(stores);
  });

  it('closes promptly while Redis is down, and fails closed afterwards', async () => {
    const stores = await open();
    await server.stop();
    try {
      expect((await outcome(stores.close())).settled).toBe('resolved');
      await expectAllUnavailable(stores);
    } finally {
      await server.restart();
    }
    // Redis being back does not reopen closed stores.
    await sleep(300);
    await expectAllUnavailable(stores);
  });

  it('closes promptly while Redis hangs', async () => {
    const stores = await open();
    server.pause();
    const late = stores.counters.increment('pending-at-close', 60_000).catch((error: unknown) => error);
    expect((await outcome(stores.close())).settled).toBe('resolved');
    expect(await late).toBeInstanceOf(StoreUnavailableError);
  });
});
