// Shared helpers of the sandbox tests: start a sandbox on an ephemeral port and talk to it over HTTP.
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
