import { READINESS_SHARE_MS } from '../../src/plugins/readiness';
import { gql, startStack, type Stack } from '../helpers/stack';

/**
 * `/ready` is anonymous: a flood of probes must not become a flood of storefront requests. One check's answer
 * is shared for READINESS_SHARE_MS (on the gateway's clock, driven here by hand), concurrent probes share the
 * check in flight, and a drained gateway answers 503 without asking the storefront at all.
 */
describe('/ready shares one upstream check', () => {
  let stack: Stack;
  let clock = Date.now();
  let sandboxClosed = false;
  const storefrontCalls = () => stack.sandbox.requestLog.filter((entry) => entry.method === 'POST' && entry.path === '/graphql').length;
  const ready = async (path = '/ready') => {
    const response = await fetch(`${stack.gateway.url}${path}`);
    return { status: response.status, body: (await response.json()) as { status: string; storefront?: string } };
  };

  beforeEach(async () => {
    clock = Date.now();
    sandboxClosed = false;
    stack = await startStack({ now: () => clock });
  });
  afterEach(async () => {
    await stack.gateway.close();
    if (!sandboxClosed) await stack.sandbox.close();
  });

  it('concurrent probes (any query string) make one storefront request between them', async () => {
    const before = storefrontCalls();
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => ready(i % 2 ? `/ready?probe=${i}` : '/ready')));
    expect(answers.map((a) => a.status)).toEqual(Array(25).fill(200));
    expect(answers.every((a) => a.body.status === 'ready' && a.body.storefront === 'ok')).toBe(true);
    expect(storefrontCalls() - before).toBe(1);
  });

  it('probes one after another reuse the answer until it is READINESS_SHARE_MS old, then check again', async () => {
    const before = storefrontCalls();
    for (let i = 0; i < 10; i++) {
      expect((await ready()).status).toBe(200);
      clock += Math.floor(READINESS_SHARE_MS / 20);
    }
    expect(storefrontCalls() - before).toBe(1);

    clock += READINESS_SHARE_MS;
    expect((await ready()).status).toBe(200);
    expect(storefrontCalls() - before).toBe(2);
    for (let i = 0; i < 5; i++) expect((await ready()).status).toBe(200);
    expect(storefrontCalls() - before).toBe(2);
  });

  it('GraphQL requests are not shared: only /ready is', async () => {
    const before = storefrontCalls();
    await ready();
    for (let i = 0; i < 3; i++) expect((await gql(stack.gateway.graphqlUrl, `{ site { settings { storeName } } }`)).body.errors).toBeUndefined();
    expect(storefrontCalls() - before).toBe(4);
  });

  it('a shared answer expires: a storefront that went away is reported once the share is over', async () => {
    expect((await ready()).status).toBe(200);
    await stack.sandbox.close();
    sandboxClosed = true;
    clock += READINESS_SHARE_MS;
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('unavailable');
  });

  it('after drain(): 503 "draining" with no storefront request, while GraphQL is still served', async () => {
    expect((await ready()).status).toBe(200);
    stack.gateway.gateway.drain();
    clock += READINESS_SHARE_MS;
    const before = storefrontCalls();
    for (let i = 0; i < 5; i++) {
      const answer = await ready();
      expect(answer.status).toBe(503);
      expect(answer.body.status).toBe('draining');
    }
    expect(storefrontCalls()).toBe(before);
    const served = await gql<{ site: { settings: { storeName: string } } }>(stack.gateway.graphqlUrl, `{ site { settings { storeName } } }`);
    expect(served.body.data?.site.settings.storeName).toEqual(expect.any(String));
    expect((await fetch(`${stack.gateway.url}/health`)).status).toBe(200);
  });
});
