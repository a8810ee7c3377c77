// SandboxOptions.latencyMs: a delay before answering every request, so benchmarks can model a remote store.
import { performance } from 'node:perf_hooks';
import type { Sandbox } from '../../sandbox';
import { createToken, gql, rest, start } from './helpers';

const LATENCY_MS = 250;

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await run();
  return { value, ms: performance.now() - t0 };
}

describe('latencyMs', () => {
  let s: Sandbox;
  let sf: string;
  beforeAll(async () => {
    s = await start({ latencyMs: LATENCY_MS });
    sf = await createToken(s, 'storefront');
  });
  afterAll(() => s.close());

  it('delays GraphQL, REST and unknown paths by at least latencyMs, answers unchanged', async () => {
    const graphql = await timed(() => gql(s, sf, '{ site { settings { storeName } } }'));
    expect(graphql.value.status).toBe(200);
    expect(graphql.value.body.data).toEqual({ site: { settings: { storeName: expect.any(String) } } });
    expect(graphql.value.headers.get('x-bc-graphql-complexity')).toBe('3');

    const restCall = await timed(() => rest(s, 'GET', '/v2/time'));
    expect(restCall.value.status).toBe(200);

    const missing = await timed(() => fetch(`${s.url}/no-such-page`));
    expect(missing.value.status).toBe(404);

    // Timers may fire a fraction of a millisecond early relative to performance.now().
    for (const call of [graphql, restCall, missing]) expect(call.ms).toBeGreaterThanOrEqual(LATENCY_MS - 1);
  });
});

describe('latencyMs validation', () => {
  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p', async (latencyMs) => {
    await expect(start({ latencyMs })).rejects.toThrow(/latencyMs/);
  });
});
