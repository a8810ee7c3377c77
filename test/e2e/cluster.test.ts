import { createServer, type Server } from 'node:net';
import { request as httpRequest } from 'node:http';
import { RESTART_POLICY } from '../../src/cluster-primary';
import {
  graphql,
  httpJson,
  killAllGatewayProcesses,
  pollUntil,
  spawnMain,
  startGatewayProcess,
  startProcessBackends,
  storeModeEnv,
  type GatewayProcess,
  type HttpResponse,
  type LogRecord,
  type ProcessBackends,
} from '../helpers/gateway-process';
import { freePort } from '../helpers/redis-server';

/**
 * The primary of GATEWAY_WORKERS with real processes (`node dist/src/main.js`) in real-store mode, pointed at a
 * sandbox of this test process: in this mode the primary holds no server of its own, so nothing but its own
 * supervision keeps it alive once its workers are gone.
 */
const PREFIX = `cluster-test-${process.pid}-${Date.now()}:`;
const SESSION_SECRET = 'cluster-test-session-secret-0123456789-abcdefghij';
const START_TIMEOUT_MS = 90_000;
const PRODUCTS = `{ site { products(first: 2) { edges { node { entityId name } } } } }`;
type ProductsData = { site: { products: { edges: Array<{ node: { entityId: number } }> } } };

let backends: ProcessBackends;

beforeAll(async () => {
  backends = await startProcessBackends();
}, START_TIMEOUT_MS);

afterAll(() => backends?.close());

const clusterEnv = (name: string, extra: Record<string, string> = {}) => ({
  ...storeModeEnv(backends.store, SESSION_SECRET),
  GATEWAY_WORKERS: '2',
  REDIS_URL: backends.redis.url,
  REDIS_KEY_PREFIX: `${PREFIX}${name}:`,
  ...extra,
});

/** Sum of a metric's samples whose labels include `labels`, from Prometheus text. */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const sample = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => sample.includes(`${key}="${value}"`))) sum += Number(match[3]);
  }
  return sum;
}

/** GET /metrics on a new connection (so that successive scrapes are handed to different workers). */
function scrape(origin: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(`${origin}/metrics`, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    })
      .on('error', reject)
      .end();
  });
}

const storefrontCalls = () => backends.sandbox.requestLog.filter((entry) => entry.method === 'POST' && entry.path === '/graphql').length;

/** The `graphql request` log line of a response (it names the worker that answered). */
const requestLine = (primary: GatewayProcess, response: HttpResponse) =>
  primary.waitForLog((r) => r.msg === 'graphql request' && r.requestId === response.requestId, 10_000);

const listeningWorkers = (primary: GatewayProcess): LogRecord[] => primary.logs().filter((r) => r.msg === 'gateway listening' && typeof r.worker === 'number');

describe('GATEWAY_WORKERS=2: one /metrics, workers replaced, drain on SIGTERM', () => {
  let primary: GatewayProcess;

  beforeAll(async () => {
    // A fixed port: once every worker is gone node:cluster closes the listening socket, and workers started
    // after that would bind a new ephemeral port.
    const port = await freePort();
    primary = await startGatewayProcess(clusterEnv('run', { PORT: String(port), GATEWAY_SHUTDOWN_DRAIN_MS: '10000' }));
  }, START_TIMEOUT_MS);
  afterAll(() => killAllGatewayProcesses());

  it('/metrics counts the requests answered by both workers, whichever worker is scraped', async () => {
    const before = await scrape(primary.origin);
    expect(before.status).toBe(200);
    const callsBefore = storefrontCalls();
    const byWorker = new Map<number, number>();
    // Different queries (no cache hit between them), each on a new connection, until both workers answered some.
    for (let i = 0; i < 60 && (byWorker.size < 2 || i < 12); i++) {
      const response = await graphql<ProductsData>(primary.graphqlUrl, `{ site { products(first: ${(i % 10) + 1}) { edges { node { entityId } } } } }`);
      expect(response.status).toBe(200);
      const worker = Number((await requestLine(primary, response)).worker);
      byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1);
    }
    expect(byWorker.size).toBe(2);
    const answered = [...byWorker.values()].reduce((a, b) => a + b, 0);
    const upstream = storefrontCalls() - callsBefore;
    expect(upstream).toBeGreaterThan(0);

    // Several scrapes, each on a new connection (so both workers answer some): every one tells the same total.
    const totals: Array<{ requests: number; upstream: number }> = [];
    for (let i = 0; i < 8; i++) {
      const after = await scrape(primary.origin);
      expect(after.status).toBe(200);
      totals.push({
        requests: metricValue(after.text, 'gateway_http_requests_total', { status: '200' }) - metricValue(before.text, 'gateway_http_requests_total', { status: '200' }),
        upstream:
          metricValue(after.text, 'gateway_upstream_requests_total', { upstream: 'storefront' }) - metricValue(before.text, 'gateway_upstream_requests_total', { upstream: 'storefront' }),
      });
    }
    expect(totals).toEqual(Array(8).fill({ requests: answered, upstream }));

    // Concurrent scrapes (they share a round over the cluster) tell the same total too.
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => scrape(primary.origin)));
    expect(concurrent.map((c) => c.status)).toEqual(Array(10).fill(200));
    const sum = (text: string) => metricValue(text, 'gateway_http_requests_total', { status: '200' }) - metricValue(before.text, 'gateway_http_requests_total', { status: '200' });
    expect(concurrent.map((c) => sum(c.text))).toEqual(Array(10).fill(answered));
  });

  it('a killed worker is replaced and the port keeps being served by the new one', async () => {
    const [first] = primary.servingPids;
    process.kill(first, 'SIGKILL');
    const replacement = await primary.waitForLog((r) => r.msg === 'gateway listening' && Number(r.worker) > 2, 30_000);
    expect(replacement.pid).not.toBe(first);
    expect(primary.child.exitCode).toBeNull();
    const seen = new Set<number>();
    for (let i = 0; i < 50 && !seen.has(Number(replacement.worker)); i++) {
      const response = await graphql<ProductsData>(primary.graphqlUrl, PRODUCTS);
      expect(response.body.data?.site.products.edges).toHaveLength(2);
      seen.add(Number((await requestLine(primary, response)).worker));
    }
    expect(seen.has(Number(replacement.worker))).toBe(true);
  });

  it('every worker killed at once: the primary stays up, starts new ones and serves again', async () => {
    const live = listeningWorkers(primary).slice(-2);
    for (const record of live) process.kill(Number(record.pid), 'SIGKILL');
    const killed = new Set(live.map((r) => Number(r.worker)));
    const newest = Math.max(...killed);
    await pollUntil('two new workers listening', async () => (listeningWorkers(primary).filter((r) => Number(r.worker) > newest).length >= 2 ? true : undefined), 30_000);
    expect(primary.child.exitCode).toBeNull();
    const answeredBy = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const response = await graphql<ProductsData>(primary.graphqlUrl, PRODUCTS);
      expect(response.body.data?.site.products.edges).toHaveLength(2);
      answeredBy.add(Number((await requestLine(primary, response)).worker));
    }
    expect([...answeredBy].filter((worker) => killed.has(worker))).toEqual([]);
    expect(primary.logs().some((r) => r.msg === 'workers keep failing to start: giving up')).toBe(false);
  });

  it('SIGTERM: /ready answers 503 "draining" on every worker while requests are still served, then the primary exits 0', async () => {
    expect((await httpJson<{ status: string }>(`${primary.origin}/ready`)).status).toBe(200);
    primary.child.kill('SIGTERM');
    await pollUntil('/ready draining', async () => ((await httpJson<{ status: string }>(`${primary.origin}/ready`)).body.status === 'draining' ? true : undefined), 3000, 50);
    const drainingWorkers = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const readiness = await httpJson<{ status: string }>(`${primary.origin}/ready`);
      expect(readiness.status).toBe(503);
      expect(readiness.body.status).toBe('draining');
      const response = await graphql<ProductsData>(primary.graphqlUrl, PRODUCTS);
      expect(response.status).toBe(200);
      expect(response.body.data?.site.products.edges).toHaveLength(2);
      drainingWorkers.add(Number((await requestLine(primary, response)).worker));
    }
    expect(drainingWorkers.size).toBeGreaterThan(0);
    expect(await primary.exited).toBe(0);
    const workerLines = primary.logs().filter((r) => typeof r.worker === 'number');
    for (const worker of drainingWorkers) {
      const messages = workerLines.filter((r) => r.worker === worker).map((r) => r.msg);
      expect(messages.indexOf('draining: /ready answers 503 until the listener closes')).toBeLessThan(messages.indexOf('shutting down: finishing in-flight requests'));
      expect(messages).toContain('shut down');
    }
  }, 60_000);
});

describe('GATEWAY_WORKERS=2 whose workers cannot start: the primary exits non-zero', () => {
  /** Spawns a cluster that is expected to give up; resolves with its exit code and logs. */
  async function givesUp(env: Record<string, string>): Promise<{ code: number | null; logs: LogRecord[] }> {
    const proc = spawnMain({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env });
    try {
      const code = await proc.exited;
      return { code, logs: proc.logs() };
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  }

  function expectGaveUp({ code, logs }: { code: number | null; logs: LogRecord[] }): void {
    expect(code).toBe(1);
    // Replaced with a backoff until the limit of failed starts in a row, then given up once; never announced.
    expect(logs.filter((r) => r.msg === 'worker failed to start; starting a new one')).toHaveLength(RESTART_POLICY.maxFailedStarts - 1);
    expect(logs.filter((r) => r.msg === 'workers keep failing to start: giving up')).toHaveLength(1);
    expect(logs.some((r) => r.msg === 'gateway workers listening' || r.msg === 'gateway listening')).toBe(false);
    const delays = logs.filter((r) => r.msg === 'worker failed to start; starting a new one').map((r) => Number(r.restartInMs));
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays[delays.length - 1]).toBeGreaterThan(delays[0]);
  }

  it('a storefront schema file that does not exist (read by the workers only)', async () => {
    expectGaveUp(await givesUp(clusterEnv('no-schema', { BC_SCHEMA_FILE: `/nonexistent/${process.pid}/storefront.graphql` })));
  }, 60_000);

  it('a port another process holds (the workers listen, the primary does not)', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      expectGaveUp(await givesUp(clusterEnv('port-taken', { PORT: String(port) })));
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  }, 60_000);
});
