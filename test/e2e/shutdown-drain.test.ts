import { assertBuilt, graphql, httpJson, killAllGatewayProcesses, pollUntil, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process';

/**
 * The shutdown drain of one gateway process (`node dist/src/main.js`, sandbox mode): on SIGTERM `/ready` answers
 * 503 for GATEWAY_SHUTDOWN_DRAIN_MS while requests are still served, so a load balancer stops sending before the
 * listener closes; then it exits 0. SIGINT and a second signal skip the drain.
 */
const QUERY = `{ site { settings { storeName } } }`;
type Site = { site: { settings: { storeName: string } } };
const DRAINING = 'draining: /ready answers 503 until the listener closes';
const SHUTTING_DOWN = 'shutting down: finishing in-flight requests';

beforeAll(() => assertBuilt());
afterEach(() => killAllGatewayProcesses());

const ready = (gateway: GatewayProcess) => httpJson<{ status: string }>(`${gateway.origin}/ready`);
const messages = (gateway: GatewayProcess) => gateway.logs().map((r) => r.msg);

describe('SIGTERM drains before the listener closes', () => {
  it('/ready 503 "draining" while GraphQL and /health are still answered; then the listener closes and the process exits 0', async () => {
    const gateway = await startGatewayProcess({ GATEWAY_SHUTDOWN_DRAIN_MS: '8000' });
    expect((await ready(gateway)).status).toBe(200);
    gateway.child.kill('SIGTERM');
    await gateway.waitForLog((r) => r.msg === DRAINING);
    for (let i = 0; i < 4; i++) {
      const readiness = await ready(gateway);
      expect(readiness.status).toBe(503);
      expect(readiness.body.status).toBe('draining');
      const served = await graphql<Site>(gateway.graphqlUrl, QUERY);
      expect(served.status).toBe(200);
      expect(served.body.data?.site.settings.storeName).toEqual(expect.any(String));
      expect((await fetch(`${gateway.origin}/health`)).status).toBe(200);
    }
    expect(await gateway.exited).toBe(0);
    const order = messages(gateway);
    expect(order.indexOf(DRAINING)).toBeLessThan(order.indexOf(SHUTTING_DOWN));
    // Only presence: pino's last two lines, written as the process exits, may reach the pipe in either order.
    expect(order).toContain('shut down');
    await expect(graphql(gateway.graphqlUrl, QUERY)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a second SIGTERM during the drain closes at once', async () => {
    const gateway = await startGatewayProcess({ GATEWAY_SHUTDOWN_DRAIN_MS: '120000' });
    gateway.child.kill('SIGTERM');
    await gateway.waitForLog((r) => r.msg === DRAINING);
    expect((await ready(gateway)).status).toBe(503);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(messages(gateway)).toContain(SHUTTING_DOWN);
  });

  it('SIGINT (Ctrl-C) and GATEWAY_SHUTDOWN_DRAIN_MS=0 skip the drain', async () => {
    for (const [signal, drainMs] of [['SIGINT', '120000'], ['SIGTERM', '0']] as const) {
      const gateway = await startGatewayProcess({ GATEWAY_SHUTDOWN_DRAIN_MS: drainMs });
      expect((await ready(gateway)).status).toBe(200);
      gateway.child.kill(signal);
      expect(await gateway.exited).toBe(0);
      expect(messages(gateway)).not.toContain(DRAINING);
      expect(messages(gateway)).toContain(SHUTTING_DOWN);
    }
  });

  it('the documented default drains too (no GATEWAY_SHUTDOWN_DRAIN_MS set)', async () => {
    const gateway = await startGatewayProcess({});
    gateway.child.kill('SIGTERM');
    const line = await gateway.waitForLog((r) => r.msg === DRAINING);
    expect(line.drainMs).toBe(5000);
    await pollUntil('/ready draining', async () => ((await ready(gateway)).status === 503 ? true : undefined), 3000, 50);
    expect((await graphql<Site>(gateway.graphqlUrl, QUERY)).body.data?.site.settings.storeName).toEqual(expect.any(String));
    await gateway.kill();
  });
});
