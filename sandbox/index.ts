/**
 * # sandbox/ — the BigCommerce-compatible sandbox store
 *
 * An embedded upstream with BigCommerce's wire contracts, for development, tests and benchmarks, so the gateway
 * runs on a fresh machine with no store account:
 *
 * - Storefront GraphQL at `POST /graphql` (storefront-http.ts): a subset of BigCommerce's schema
 *   (schema/sandbox.graphql), the storefront/private/impersonation token rules, customer access tokens, the
 *   `X-Bc-Graphql-Complexity` header and BigCommerce's 10,000 complexity limit (complexity.ts), page-size caps
 *   (storefront-resolvers.ts);
 * - REST under `/stores/{hash}/v3/...` with `X-Auth-Token` and `X-Rate-Limit-*` headers (rest.ts, rate-limit.ts);
 * - the Customer Login API `GET /login/token/{jwt}` (customer-login.ts) and the Current Customer API
 *   `GET /customer/current.jwt` (current-customer.ts);
 * - the admin REST a response cache needs: products (catalog-products-rest.ts), price list records and assignments
 *   (price-list-records-rest.ts, price-list-assignments-rest.ts), and the Webhooks API `/v3/hooks` (webhooks-rest.ts);
 *   changes made through it are delivered as signed webhook callbacks, with retries (webhook-dispatcher.ts);
 * - seed data in seed.json (products, customer groups, price lists, the demo accounts printed by describeSandbox).
 *
 * It is its own package beside src/: it imports nothing from src/, and the gateway imports nothing from it; only
 * src/main.ts loads it, lazily (`import('../sandbox')`), in sandbox mode or for `node dist/src/main.js sandbox`, so
 * a gateway serving a real store never loads it or parses its seed. It reads no environment: its caller passes
 * everything in through SandboxOptions. Entry point: startSandbox().
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCatalog } from './catalog';
import { createRateLimiter } from './rate-limit';
import { DEMO_ACCOUNTS, SEED, type Seed } from './seed';
import { createRouter, type RequestLogEntry } from './server';
import { SandboxState } from './state';
import { createStorefrontTokenService } from './storefront-tokens';
import { createWebhookDispatcher, type WebhookDeliveryAttempt } from './webhook-dispatcher';
import { WebhookRegistry } from './webhook-registry';

export type { RequestLogEntry } from './server';
export type { WebhookDeliveryAttempt } from './webhook-dispatcher';
export type { WebhookPayload } from './webhook-events';
export { WEBHOOK_RETRY_SCHEDULE_SECONDS } from './webhook-dispatcher';

export interface SandboxOptions {
  /** 0 = ephemeral (tests); default 4010. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  storeHash?: string;
  clientId?: string;
  clientSecret?: string;
  accessToken?: string;
  /** Default 1. */
  channelId?: number;
  /** REST requests per window (default 150, BigCommerce's Standard/Plus quota). */
  rateLimitQuota?: number;
  /** Default 30000. */
  rateLimitWindowMs?: number;
  /**
   * Clock in ms (default Date.now); drives token expiry, iat windows and rate-limit windows, and stamps webhook
   * `created_at` and `webhook-timestamp` (Standard Webhooks verifiers refuse a timestamp more than 5 minutes from their
   * own clock, so tests that verify callbacks keep the default). Webhook retry delays run on real timers.
   */
  now?: () => number;
  /** Delay in ms before answering every request (GraphQL, REST, pages), to model a remote store in benchmarks. Default 0. */
  latencyMs?: number;
  /** The numeric store id webhook callbacks carry in `store_id` (digits, as a string). Default SANDBOX_DEFAULT_STORE_ID. */
  storeId?: string;
  /**
   * Multiplies the webhook retry schedule (60 s, 180 s, ... 86400 s after each failed attempt). Default 1, the real
   * schedule; tests use e.g. 0.001 (a minute becomes 60 ms).
   */
  webhookRetryScale?: number;
}

export interface SandboxIdentity {
  storeHash: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  channelId: number;
}

export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:4010. */
  url: string;
  identity: SandboxIdentity;
  /** Every request received, in order (path without query string). */
  requestLog: RequestLogEntry[];
  /** `store_id` of webhook callbacks. */
  storeId: string;
  /** Every webhook callback attempt (first deliveries and retries), in the order they completed. */
  webhookDeliveries: WebhookDeliveryAttempt[];
  /**
   * Holds the first delivery of every event fired from now on until `release()`, which sends them as they would have
   * been sent. BigCommerce delivers seconds after a change; tests act inside that window without racing a clock.
   */
  holdWebhooks(): { release(): void };
  /** Stops the server, pending webhook retries and callbacks in flight. */
  close(): Promise<void>;
}

/** Development defaults: public, for local use only (a real store's credentials are never defaults). */
export const SANDBOX_DEFAULTS: SandboxIdentity = {
  storeHash: 'sandbox1',
  clientId: 'sandbox-client-id',
  clientSecret: 'sandbox-client-secret-for-local-development-only',
  accessToken: 'sandbox-access-token',
  channelId: 1,
};

export const SANDBOX_DEFAULT_PORT = 4010;
export const SANDBOX_DEFAULT_STORE_ID = '1000001';
export const SANDBOX_DEFAULT_RATE_LIMIT_QUOTA = 150;
export const SANDBOX_DEFAULT_RATE_LIMIT_WINDOW_MS = 30000;

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Answers each request after `ms`; a request whose client went away meanwhile is dropped. */
function delayed(handler: (req: IncomingMessage, res: ServerResponse) => void, ms: number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const timer = setTimeout(() => {
      if (!res.destroyed) handler(req, res);
    }, ms);
    // close() ends every connection: a pending delay must not keep the process alive after it.
    timer.unref();
    res.once('close', () => clearTimeout(timer));
  };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const identity: SandboxIdentity = {
    storeHash: options.storeHash || SANDBOX_DEFAULTS.storeHash,
    clientId: options.clientId || SANDBOX_DEFAULTS.clientId,
    clientSecret: options.clientSecret || SANDBOX_DEFAULTS.clientSecret,
    accessToken: options.accessToken || SANDBOX_DEFAULTS.accessToken,
    channelId: options.channelId ?? SANDBOX_DEFAULTS.channelId,
  };
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError(`sandbox: latencyMs must be a finite number >= 0, got ${latencyMs}`);
  const retryScale = options.webhookRetryScale ?? 1;
  if (!Number.isFinite(retryScale) || retryScale < 0) throw new RangeError(`sandbox: webhookRetryScale must be a finite number >= 0, got ${retryScale}`);
  const storeId = options.storeId ?? SANDBOX_DEFAULT_STORE_ID;
  if (!/^\d+$/.test(storeId)) throw new RangeError(`sandbox: storeId must be digits, got ${JSON.stringify(storeId)}`);
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  // The admin REST edits the catalog in place: each sandbox gets its own copy of the seed.
  const catalog = buildCatalog(structuredClone(SEED) as Seed);
  const state = new SandboxState(now);
  const webhooks = new WebhookRegistry(identity.clientId, identity.storeHash, now);
  const webhookDeliveries: WebhookDeliveryAttempt[] = [];
  const onError = (err: unknown): void => {
    process.stderr.write(`sandbox: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  };
  const dispatcher = createWebhookDispatcher({
    registry: webhooks,
    storeHash: identity.storeHash,
    storeId,
    clientSecret: identity.clientSecret,
    now,
    retryScale,
    attempts: webhookDeliveries,
    onError,
  });
  // A second storefront channel beside the configured one, so channel routing (store-{hash}-{channel} hosts) is real.
  const channelIds = [identity.channelId, identity.channelId + 1];
  const tokens = await createStorefrontTokenService({ ...identity, now, revoked: state.revokedTokens });
  const rateLimiter = createRateLimiter(
    options.rateLimitQuota ?? SANDBOX_DEFAULT_RATE_LIMIT_QUOTA,
    options.rateLimitWindowMs ?? SANDBOX_DEFAULT_RATE_LIMIT_WINDOW_MS,
    now,
  );
  const requestLog: RequestLogEntry[] = [];
  let url = '';
  const handler = createRouter({
    ...identity,
    channelIds,
    catalog,
    state,
    tokens,
    rateLimiter,
    now,
    baseUrl: () => url,
    requestLog,
    webhooks,
    publish: (event) => dispatcher.publish(event),
    onError,
  });
  const server: Server = createServer(latencyMs > 0 ? delayed(handler, latencyMs) : handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? SANDBOX_DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://${urlHost(host)}:${port}`;
  return {
    url,
    identity,
    requestLog,
    storeId,
    webhookDeliveries,
    holdWebhooks: () => dispatcher.hold(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        dispatcher.close();
        server.close((err) => (err ? reject(err) : resolve()));
        // Idle keep-alive connections would otherwise hold close() open; tests start and stop many sandboxes.
        server.closeAllConnections();
      }),
  };
}

/** The banner `npm run sandbox` prints. The identity is development data, so printing it is the point. */
export function describeSandbox(s: Sandbox): string {
  const { identity } = s;
  const lines = [
    'BigCommerce sandbox store',
    `  base URL            ${s.url}`,
    `  storefront GraphQL  ${s.url}/graphql`,
    `  REST API            ${s.url}/stores/${identity.storeHash}/v3/...`,
    `  store hash          ${identity.storeHash}`,
    `  channel id          ${identity.channelId}`,
    `  client id           ${identity.clientId}`,
    // The default secret is public development data; a caller-supplied one (BC_CLIENT_SECRET) is never printed.
    `  client secret       ${identity.clientSecret === SANDBOX_DEFAULTS.clientSecret ? identity.clientSecret : '(as configured; not shown)'}`,
    `  REST access token   ${identity.accessToken}  (header X-Auth-Token)`,
    '  demo accounts:',
    ...DEMO_ACCOUNTS.map((a) => `    customer ${a.customerId}  ${a.email} / ${a.password}  ${a.group}`),
    '  guests: catalog prices (no customer group)',
    `  webhooks            POST ${s.url}/stores/${identity.storeHash}/v3/hooks; callbacks signed (Standard Webhooks) with the client secret, store_id ${s.storeId}`,
  ];
  return lines.join('\n');
}
