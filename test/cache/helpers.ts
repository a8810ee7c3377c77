// Shared by the response-cache tests: gateways with the cache pinned on or off (whatever the helpers' defaults
// are), shoppers of each kind, and raw HTTP answers (text, not parsed: the cache promises bytes).
import type { CacheConfig } from '../../src/config';
import { startSandbox, type Sandbox } from '../../sandbox';
import { loginAs, RETAIL, startGateway, WHOLESALE, type GatewayServer, type StartGatewayOptions } from '../helpers/stack';

export const VIP = { email: 'vip@example.com', pass: 'Vip1!' };

// X-Cache shown to everyone (GATEWAY_CACHE_DEBUG_HEADER): what these suites assert on.
export const CACHE_ON: CacheConfig = { enabled: true, ttlSeconds: 300, maxBytes: 64 * 1024 * 1024, debugHeader: true };
export const CACHE_OFF: CacheConfig = { ...CACHE_ON, enabled: false };

export function startCachedGateway(sandbox: Sandbox, cache: CacheConfig = CACHE_ON, options: StartGatewayOptions = {}): Promise<GatewayServer> {
  return startGateway(sandbox, { ...options, config: { ...options.config, cache } });
}

export async function startCacheSandbox(): Promise<Sandbox> {
  // Many logins and REST prices across the suite: a quota no test reaches.
  return startSandbox({ port: 0, rateLimitQuota: 100_000 });
}

export interface Shopper {
  name: 'guest' | 'retail' | 'wholesale' | 'vip';
  /** Request headers that make a request this shopper's. */
  headers: Record<string, string>;
}

/** The four kinds of shopper, logged in through `gateway` (tokens work on every gateway with the same session secret). */
export async function shoppers(graphqlUrl: string): Promise<Shopper[]> {
  const bearer = async (account: { email: string; pass: string }) => ({ authorization: `Bearer ${(await loginAs(graphqlUrl, account)).token}` });
  return [
    { name: 'guest', headers: {} },
    { name: 'retail', headers: await bearer(RETAIL) },
    { name: 'wholesale', headers: await bearer(WHOLESALE) },
    { name: 'vip', headers: await bearer(VIP) },
  ];
}

export interface RawAnswer {
  status: number;
  cache: string | null;
  text: string;
  headers: Headers;
}

/** POST a GraphQL body (one operation or a batch) and keep the answer as bytes. */
export async function post(graphqlUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, cache: response.headers.get('x-cache'), text: await response.text(), headers: response.headers };
}

export function query(graphqlUrl: string, text: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return post(graphqlUrl, { query: text, variables }, headers);
}

/** Requests the sandbox received since `from` (an index into its request log), optionally matching a path. */
export function upstreamCalls(sandbox: Sandbox, from: number, path?: RegExp): number {
  return sandbox.requestLog.slice(from).filter((entry) => !path || path.test(entry.path)).length;
}

/** 50 products with storefront prices and REST pricing: a category page for a group. */
export const CATALOG_PAGE = /* GraphQL */ `
  query CatalogPage {
    site {
      products(first: 50) {
        edges {
          node {
            entityId
            name
            prices { price { value currencyCode } salePrice { value } basePrice { value } }
            pricing { productId calculatedPrice { asEntered } price { asEntered } salePrice { asEntered } }
          }
        }
      }
    }
  }
`;

/** The same products through the pass-through fast path (storefront fields only). */
export const CATALOG_FAST_PATH = /* GraphQL */ `
  query CatalogFast {
    site { products(first: 50) { edges { node { entityId name prices { price { value currencyCode } salePrice { value } } } } } }
  }
`;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
