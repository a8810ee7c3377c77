// Over real HTTP: a gateway whose hooks are registered with the sandbox without a custom secret (BigCommerce's
// signature alone, the costly case), flooded with unsigned, stale and badly signed POSTs from the sandbox's own
// address and from another one, while the sandbox keeps delivering real, signed callbacks.
import { request as httpRequest } from 'node:http';
import { startSandbox, type Sandbox } from '../../sandbox';
import { registerSandboxWebhooks, WEBHOOK_PATH } from '../../src/webhooks';
import { startGateway, type GatewayServer } from '../helpers/stack';
import { signedHeaders } from './helpers';

let sandbox: Sandbox;
let gateway: GatewayServer;
let destination: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, rateLimitQuota: 100_000, webhookRetryScale: 0.001 });
  gateway = await startGateway(sandbox);
  const { config } = gateway.gateway;
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  await registerSandboxWebhooks({ store: config.store, host: config.host, port: Number(new URL(gateway.url).port), logger: silent, timeoutMs: 5000 });
  destination = `${gateway.url}${WEBHOOK_PATH}`;
});

afterAll(async () => {
  await sandbox?.close();
  await gateway?.close();
});

/** POSTs from `localAddress` (a second loopback address is a second sender). */
function postFrom(localAddress: string, headers: Record<string, string>, body: string): Promise<number> {
  const url = new URL(destination);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function acceptedDeliveries(): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return Number(/^gateway_webhook_deliveries_total\{outcome="accepted"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** Changes a product's price through the admin REST; the sandbox then delivers a signed callback. */
async function changePrice(price: number): Promise<void> {
  const response = await fetch(`${sandbox.url}/stores/${sandbox.identity.storeHash}/v3/catalog/products/139`, {
    method: 'PUT',
    headers: { 'X-Auth-Token': sandbox.identity.accessToken, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ price }),
  });
  expect(response.status).toBe(200);
}

/** Changes a price and waits until the gateway has accepted the sandbox's callback about it. */
async function changePriceAndAwaitDelivery(price: number): Promise<void> {
  const before = await acceptedDeliveries();
  await changePrice(price);
  while ((await acceptedDeliveries()) <= before) await new Promise((resolve) => setTimeout(resolve, 25));
}

const warnLines = (message: string) =>
  gateway.logs.map((line) => JSON.parse(line) as { level: number; msg: string; suppressed?: number }).filter((line) => line.level === 40 && line.msg === message);

it("keeps accepting the sandbox's signed deliveries through floods, logging them in a line or two", async () => {
  const body = JSON.stringify({ scope: 'store/product/updated', data: { type: 'product', id: 139 }, hash: 'x', created_at: 1, producer: 'stores/x' });
  const big = JSON.stringify({ pad: 'a'.repeat(900 * 1024) });
  const stale = () => ({ ...signedHeaders(gateway.gateway.config.store.clientSecret, body, { timestampSeconds: Math.floor(Date.now() / 1000) - 3600 }) });
  const forged = (payload: string) => signedHeaders('not-the-client-secret-at-all', payload);

  // The sandbox's own address: unsigned (small and 900 KB) and stale POSTs are refused from their headers.
  for (let i = 0; i < 40; i++) expect(await postFrom('127.0.0.1', {}, i % 2 === 0 ? body : big)).toBe(401);
  for (let i = 0; i < 10; i++) expect(await postFrom('127.0.0.1', stale(), body)).toBe(401);
  await changePriceAndAwaitDelivery(21.5);

  // Another address sending well-formed forged signatures of large bodies is throttled after 20.
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) statuses.push(await postFrom('127.0.0.2', forged(big), big).catch(() => 0));
  expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
  expect(statuses.slice(20).every((status) => status === 429)).toBe(true);
  // And from the sandbox's address (which has delivered validly): refused, never throttling the sandbox.
  for (let i = 0; i < 25; i++) expect(await postFrom('127.0.0.1', forged(body), body)).toBe(401);
  await changePriceAndAwaitDelivery(22.5);

  // 105 refusals, logged in a line or two each kind (one per 10 s).
  expect(warnLines('webhook: refused an unauthenticated delivery').length).toBeLessThanOrEqual(2);
  expect(warnLines('webhook: throttled an address sending failed deliveries').length).toBeLessThanOrEqual(2);
  expect(gateway.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50)).toEqual([]);
});
