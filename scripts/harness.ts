// Shared by the scripts and the compat tests: build the gateway the way src/main.ts and test/helpers/stack.ts do,
// without importing test helpers (scripts must not depend on test code) and without reading the environment.
import pino from 'pino';
import { parseConfig, withStore, type GatewayConfig, type StoreConfig } from '../src/config';
import { createGateway, type Gateway } from '../src/gateway';
import { serve } from '../src/http/serve';
export { projectRoot } from '../src/project-root';
import { sandboxStoreConfig } from '../src/sandbox-mode';
import type { Sandbox } from '../sandbox';

/** Fixed, public test value: these gateways only ever face local upstreams. */
export const HARNESS_SESSION_SECRET = 'harness-session-secret-0123456789-abcdefghij';
export const HARNESS_TIMEOUT_MS = 10_000;

/**
 * The documented defaults (what `npm start` gets from an empty environment), pinned where a scripted run
 * needs it: a fixed session secret, an ephemeral port, no periodic schema refresh timer keeping the process alive.
 */
export function gatewayConfig(store: StoreConfig, overrides: Partial<Omit<GatewayConfig, 'store'>> = {}): GatewayConfig {
  return {
    ...withStore(parseConfig({}), store),
    port: 0,
    host: '127.0.0.1',
    upstreamTimeoutMs: HARNESS_TIMEOUT_MS,
    logLevel: 'silent',
    schemaRefreshSeconds: 0,
    session: { secret: HARNESS_SESSION_SECRET, ttlSeconds: 3600, cookieName: 'sfgw_session', cookieSecure: false },
    ...overrides,
  };
}

/** Store config for a running sandbox, obtained exactly as sandbox mode does (a storefront token created over REST). */
export function sandboxStore(sandbox: Sandbox): Promise<StoreConfig> {
  return sandboxStoreConfig(sandbox, { authMode: 'impersonation', timeoutMs: HARNESS_TIMEOUT_MS });
}

/**
 * Store config for a storefront-only upstream (the full-schema mock). REST endpoints point at the same
 * origin: nothing these callers run reaches REST, and a wrong call then fails locally instead of leaving the machine.
 */
export function storefrontOnlyStore(origin: string): StoreConfig {
  return {
    storeHash: 'mockstore',
    channelId: 1,
    storefrontUrl: `${origin}/graphql`,
    storeUrl: origin,
    apiUrl: origin,
    accessToken: 'mock-access-token',
    clientId: 'mock-client-id',
    clientSecret: 'mock-client-secret-not-a-real-secret',
    storefrontToken: 'mock-storefront-token',
    authMode: 'impersonation',
  };
}

export function buildGateway(config: GatewayConfig): Promise<Gateway> {
  return createGateway(config, { logger: pino({ level: 'silent' }) });
}

export interface ServedGateway {
  url: string;
  graphqlUrl: string;
  gateway: Gateway;
  close(): Promise<void>;
}

/** Serve a gateway over HTTP on an ephemeral loopback port, as src/main.ts does on its configured one. */
export async function serveGateway(gateway: Gateway): Promise<ServedGateway> {
  const served = await serve(gateway, { port: 0, host: '127.0.0.1' });
  return {
    url: served.url,
    graphqlUrl: served.graphqlUrl,
    gateway,
    close: async () => {
      await served.close();
      await gateway.close();
    },
  };
}
