import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLSchema } from 'graphql';
import { parseConfig, withStore, type AuthMode, type GatewayConfig, type StoreConfig } from '../../src/config';
import { createGateway, type Gateway } from '../../src/gateway';
import { createLogger } from '../../src/logger';
import type { HttpClient } from '../../src/remote/http';
import { serve } from '../../src/http/serve';
import { sandboxStoreConfig } from '../../src/sandbox-mode';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';

export const SESSION_SECRET = 'test-session-secret-0123456789-abcdefghij';
export const SERVER_KEY = 'test-server-key-0123456789-abcdefghijklmnop';

export interface GatewayServer {
  url: string;
  graphqlUrl: string;
  gateway: Gateway;
  logs: string[];
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  authMode?: AuthMode;
  config?: Partial<Omit<GatewayConfig, 'store'>>;
  now?: () => number;
  http?: HttpClient;
  /** Point parts of the store config elsewhere, e.g. REST through a fault-injecting proxy. */
  store?: Partial<StoreConfig>;
  /** The storefront schema, instead of introspecting at start (a tight upstream budget must not race start-up). */
  storefrontSchema?: GraphQLSchema;
  /** Channels the gateway's storefront token serves (the front door's); the sandbox's own when absent. */
  channelIds?: number[];
  /** Serve HTTPS with these files. */
  tls?: { certFile: string; keyFile: string };
}

export function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The gateway on an ephemeral port in front of `sandbox`, configured as sandbox mode would. */
export async function startGateway(sandbox: Sandbox, options: StartGatewayOptions = {}): Promise<GatewayServer> {
  const timeoutMs = options.config?.upstreamTimeoutMs ?? 5000;
  const store = await sandboxStoreConfig(sandbox, { authMode: options.authMode ?? 'impersonation', timeoutMs, channelIds: options.channelIds });
  // Start from the documented defaults, as `npm start` would, then pin what tests rely on.
  const defaults = withStore(parseConfig({}), { ...store, ...options.store });
  const config: GatewayConfig = {
    ...defaults,
    port: 0,
    host: '127.0.0.1',
    upstreamTimeoutMs: timeoutMs,
    serverKey: SERVER_KEY,
    schemaRefreshSeconds: 0,
    // Off unless a test asks for it: the other suites count upstream calls and inject upstream faults.
    cache: { ...defaults.cache, enabled: false },
    // Every test client connects from 127.0.0.1, many shoppers at once: the per-address cap is tested on its own.
    server: { ...defaults.server, maxConnectionsPerAddress: 100_000 },
    ...options.config,
    session: { secret: SESSION_SECRET, ttlSeconds: 3600, cookieName: 'sfgw_session', cookieSecure: false, ...options.config?.session },
  };
  const logs: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logs.push(line) });
  const gateway = await createGateway(config, { logger, now: options.now, http: options.http, storefrontSchema: options.storefrontSchema });
  const served = await serve(gateway, { port: 0, host: '127.0.0.1', ...config.server, tls: options.tls });
  return {
    url: served.url,
    graphqlUrl: served.graphqlUrl,
    gateway,
    logs,
    close: async () => {
      await served.close();
      await gateway.close();
    },
  };
}

export interface Stack {
  sandbox: Sandbox;
  gateway: GatewayServer;
  close(): Promise<void>;
}

export async function startStack(options: StartGatewayOptions & { sandbox?: SandboxOptions } = {}): Promise<Stack> {
  const sandbox = await startSandbox({ port: 0, ...options.sandbox });
  const gateway = await startGateway(sandbox, options);
  return {
    sandbox,
    gateway,
    close: async () => {
      await gateway.close();
      await sandbox.close();
    },
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  };
}

/** POST a GraphQL operation the way a server-side client would. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: GraphQLResponse<T>['body'];
  try {
    body = JSON.parse(text) as GraphQLResponse<T>['body'];
  } catch {
    throw new Error(`non-JSON response ${response.status}: ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body };
}

export const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $pass: String!) {
    login(email: $email, password: $pass) { result }
  }
`;

export const WHOLESALE = { email: 'wholesale@example.com', pass: 'Wholesale1!' };
export const RETAIL = { email: 'retail@example.com', pass: 'Retail1!' };

/** The session cookie from a login response, ready for a `Cookie` header. */
export function sessionCookieOf(response: GraphQLResponse): string {
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('sfgw_session='));
  if (!setCookie) throw new Error('no session cookie in response');
  return setCookie.split(';')[0];
}

export async function loginAs(graphqlUrl: string, account: { email: string; pass: string }) {
  const response = await gql<{ login: { result: string; sessionToken: string } }>(
    graphqlUrl,
    `mutation Login($email: String!, $pass: String!) { login(email: $email, password: $pass) { result sessionToken } }`,
    account,
  );
  if (!response.body.data?.login) throw new Error(`login failed: ${JSON.stringify(response.body.errors)}`);
  return { cookie: sessionCookieOf(response), token: response.body.data.login.sessionToken, response };
}

/** Runs a typed document (test/generated/operations.ts): variables and result are checked by TypeScript. */
export function execute<TResult, TVariables extends Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TResult>> {
  return gql<TResult>(url, print(document), variables, headers);
}

/**
 * `/ready`'s HTTP status once it is `status`, or the last one seen after `timeoutMs`: one probe's answer is
 * shared for about a second (src/plugins/readiness.ts), so a change of the upstream shows within about that.
 */
export async function readyStatusOnce(baseUrl: string, status: number, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = (await fetch(`${baseUrl}/ready`)).status;
    if (seen === status || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
