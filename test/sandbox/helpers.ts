// Shared helpers of the sandbox tests: start a sandbox on an ephemeral port and talk to it over HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';

export interface Clock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function fakeClock(start = Date.UTC(2025, 0, 15, 12, 0, 0)): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

export async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ port: 0, ...options });
}

export function restUrl(s: Sandbox, path: string): string {
  return `${s.url}/stores/${s.identity.storeHash}${path}`;
}

export async function rest(s: Sandbox, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(restUrl(s, path), {
    method,
    headers: { 'X-Auth-Token': s.identity.accessToken, 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export type TokenKind = 'storefront' | 'private' | 'impersonation';

export async function createToken(s: Sandbox, kind: TokenKind, extra: Record<string, unknown> = {}, nowMs = Date.now()): Promise<string> {
  const path = kind === 'storefront' ? '/v3/storefront/api-token' : kind === 'private' ? '/v3/storefront/api-token-private' : '/v3/storefront/api-token-customer-impersonation';
  const body = { channel_id: 1, expires_at: Math.floor(nowMs / 1000) + 3600, ...(kind === 'private' ? { scopes: ['Unauthenticated', 'Customer'] } : {}), ...extra };
  const res = await rest(s, 'POST', path, body);
  if (res.status !== 200) throw new Error(`token creation failed: ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { data: { token: string } };
  return json.data.token;
}

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[];
}

export async function gql(
  s: Sandbox,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: GraphQLResponse; headers: Headers }> {
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse, headers: res.headers };
}

/** Polls `probe` until it returns a value other than undefined/false; fails after `timeoutMs` (generous: no timing assertions). */
export async function eventually<T>(probe: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface ReceivedCallback {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Destination {
  /** Base URL, e.g. http://127.0.0.1:54321 (append a path per hook). */
  url: string;
  received: ReceivedCallback[];
  close(): Promise<void>;
}

/**
 * A webhook destination on an ephemeral port: records every request, answers `status(path, nth)` (nth counts the
 * requests to that path, from 1). Default: 200.
 */
export async function startDestination(status: (path: string, nth: number) => number = () => 200): Promise<Destination> {
  const received: ReceivedCallback[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      received.push({ path, headers, body: Buffer.concat(chunks).toString('utf8') });
      const nth = received.filter((r) => r.path === path).length;
      res.writeHead(status(path, nth), { 'Content-Length': 0 });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const PRICE_OF = 'query P($id: Int!) { site { product(entityId: $id) { prices { price { value } salePrice { value } } } } }';

/** The storefront price (`prices.price.value`) of a product for a guest, or for customer `customerId` (impersonation token + X-Bc-Customer-Id). */
export async function storefrontPrice(s: Sandbox, impersonationToken: string, productId: number, customerId?: number): Promise<number | null> {
  const r = await gql(s, impersonationToken, PRICE_OF, { id: productId }, customerId === undefined ? {} : { 'X-Bc-Customer-Id': String(customerId) });
  const product = (r.body.data as { site: { product: { prices: { price: { value: number } } } | null } } | undefined)?.site.product;
  return product ? product.prices.price.value : null;
}

/** calculated_price of POST /v3/pricing/products for one product (guest, or a customer group). */
export async function restCalculatedPrice(s: Sandbox, productId: number, group?: number, currency = 'USD'): Promise<number> {
  const res = await rest(s, 'POST', '/v3/pricing/products', { channel_id: 1, currency_code: currency, ...(group === undefined ? {} : { customer_group_id: group }), items: [{ product_id: productId }] });
  const json = (await res.json()) as { data: { calculated_price: { as_entered: number } }[] };
  return json.data[0].calculated_price.as_entered;
}
