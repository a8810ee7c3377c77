/**
 * Environment → typed, validated configuration. Parsed once, at the edge (src/main.ts);
 * everything below receives plain typed values. Every problem is collected and reported at once.
 */

import { parseTrustProxy, type TrustProxySetting } from './http/client-address';

export type AuthMode = 'impersonation' | 'customer-access-token';

/** Everything the gateway needs to reach one BigCommerce store (real or sandbox). */
export interface StoreConfig {
  storeHash: string;
  channelId: number;
  /** Storefront GraphQL endpoint. */
  storefrontUrl: string;
  /** Storefront origin for SSO links: `{storeUrl}/login/token/{jwt}`. */
  storeUrl: string;
  /** REST base; requests go to `{apiUrl}/stores/{hash}/v3/...`. */
  apiUrl: string;
  accessToken: string;
  clientId: string;
  clientSecret: string;
  /** Customer impersonation token (impersonation mode) or private token (customer-access-token mode). */
  storefrontToken: string;
  authMode: AuthMode;
  /** Sent with `True-Client-IP` so BigCommerce sees the shopper's address. */
  trustedProxySecret?: string;
}

export interface GatewayConfig {
  /** `NODE_ENV=production`: never sandbox mode; GraphiQL and introspection off unless enabled. */
  production: boolean;
  port: number;
  host: string;
  store: StoreConfig;
  /** Read the storefront schema from this SDL/introspection file instead of introspecting. */
  schemaFile?: string;
  upstreamTimeoutMs: number;
  /** Storefront API calls (retries included) one HTTP request may cause: aliases × batch entries cannot multiply them. */
  maxStorefrontCallsPerRequest: number;
  session: {
    /** ≥ 32 bytes. Undefined only in sandbox mode, where a random per-process key is used. */
    secret?: string;
    ttlSeconds: number;
    /** `__Host-sfgw_session` whenever the cookie is Secure (RFC 6265bis §4.1.3.2: Secure, Path=/, no Domain). */
    cookieName: string;
    cookieSecure: boolean;
  };
  /**
   * Proxies whose `X-Forwarded-For` entries are believed (GATEWAY_TRUST_PROXY): false = none (socket peer),
   * true = one hop, a number = that many hops, a list = proxy addresses/CIDRs. See http/client-address.ts.
   */
  trustProxy: TrustProxySetting;
  /** Server-to-server key that unlocks `customerGroupId` in `pricing` (header `X-Gateway-Server-Key`). */
  serverKey?: string;
  currencyCode: string;
  logLevel: string;
  limits: OperationLimits;
  loginLimits: LoginLimits;
  /** Allowed browser origins for CORS; empty = same-origin only. */
  corsOrigins: string[];
  /** Serve GraphiQL on GET /graphql from a browser. */
  graphiql: boolean;
  /** Retries of idempotent upstream queries after a transport failure (never mutations). */
  upstreamRetries: number;
  /** Re-introspect the storefront schema this often; 0 = never. */
  schemaRefreshSeconds: number;
  /** Time in-flight requests get to finish on SIGTERM/SIGINT, once the listener is closed. */
  shutdownTimeoutMs: number;
  /** On SIGTERM, how long `/ready` answers 503 (requests still served) before the listener closes. */
  shutdownDrainMs: number;
  /** Shared state for several instances (REDIS_URL); absent = in memory, correct for one instance only. */
  redis?: { url: string; keyPrefix: string };
  /** Worker processes serving one port (node:cluster); more than 1 requires `redis`. */
  workers: number;
  /** What the gateway's own REST calls may spend of the store's quota. */
  restBudget: RestBudget;
  /** Listener limits: a slow body is cut, connections are capped. */
  server: { requestTimeoutMs: number; headersTimeoutMs: number; maxConnections: number; maxConnectionsPerAddress: number };
  /** The response and REST pricing cache, scoped by customer group (src/cache/). */
  cache: CacheConfig;
  /**
   * BC_WEBHOOK_SECRET: the value of the `X-Webhook-Secret` header set when the gateway's webhooks were created,
   * accepted besides BigCommerce's Standard Webhooks signature (made with the client secret).
   */
  webhookSecret?: string;
  /** The BigCommerce-compatible front door for storefront servers (GATEWAY_STOREFRONT_DOMAIN); absent = off. */
  frontDoor?: FrontDoorConfig;
  /** Serve HTTPS directly (GATEWAY_TLS_CERT_FILE, GATEWAY_TLS_KEY_FILE); absent = plain HTTP (behind a terminator). */
  tls?: { certFile: string; keyFile: string };
}

export interface FrontDoorConfig {
  /** `store-{hash}-{channel}.{domain}` and `store-{hash}.{domain}` answer as the Storefront API. */
  domain: string;
  /** Channels served there (GATEWAY_STOREFRONT_CHANNELS, default BC_CHANNEL_ID); any other is an unknown store. */
  channels: number[];
  /** Bearer values accepted from storefront servers (GATEWAY_STOREFRONT_CLIENT_TOKENS). */
  clientTokens: string[];
  /** How long a verified customer access token's customer and group are remembered (by the token's hash). */
  identitySeconds: number;
}

export interface CacheConfig {
  /** GATEWAY_CACHE=on|off (default on). Off: every GraphQL answer says `X-Cache: BYPASS` and nothing is stored. */
  enabled: boolean;
  /** GATEWAY_CACHE_TTL_SECONDS (default 300): the longest a cached answer or price is served. */
  ttlSeconds: number;
  /** GATEWAY_CACHE_MAX_MB (default 64) in bytes: bound of the in-memory store (Redis is bounded by its own maxmemory). */
  maxBytes: number;
  /**
   * GATEWAY_CACHE_DEBUG_HEADER (default false): `X-Cache` on every GraphQL answer. Off, only trusted servers see it:
   * a HIT tells a shopper which pages others of their group opened.
   */
  debugHeader: boolean;
}

export interface RestBudget {
  /** REST calls (retries included) one HTTP request may cause. */
  maxCallsPerRequest: number;
  /** REST calls of any kind made for one client (address, wider block, account) per minute; trusted servers are exempt. */
  clientCallsPerMinute: number;
  /** Share of the store's REST quota kept for logins (each client up to its share of it). */
  reserveFraction: number;
}

/**
 * Checked before any upstream call. They protect the gateway and are at least as permissive as BigCommerce's
 * own (depth 16); BigCommerce's complexity limit is left to BigCommerce, which alone knows its weights.
 */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxBodyBytes: number;
  maxBatch: number;
  /** Field selections per document, fragments counted where spread (bounds validation work). */
  maxSelections: number;
  /** Field selections merged into one selection set (field-merging validation is quadratic in it). */
  maxSelectionsPerSet: number;
  /** Pairs of selections sharing one response path, which field-merging validation compares one by one. */
  maxFieldMerges: number;
  introspection: boolean;
  fieldSuggestions: boolean;
  /** Documents refused by these limits one client may send per minute before its requests are refused unread. */
  maxRefusalsPerMinute: number;
}

export interface LoginLimits {
  windowSeconds: number;
  /** Login attempts per client IP per window. */
  maxAttemptsPerIp: number;
  /** Failed login attempts per email per window. */
  maxFailuresPerEmail: number;
}

export interface SandboxPlan {
  /** Port of `npm run sandbox`; the embedded sandbox of `npm start` uses an ephemeral port. */
  port: number;
  rateLimitQuota?: number;
  /** Identity overrides for the sandbox, so a test or user can fix the secret. */
  storeHash?: string;
  clientId?: string;
  clientSecret?: string;
  accessToken?: string;
}

/** `store` is absent in sandbox mode: it is filled in once the embedded sandbox has started. */
export type StartupConfig = Omit<GatewayConfig, 'store'> & {
  store?: StoreConfig;
  authMode: AuthMode;
  channelId: number;
  trustedProxySecret?: string;
  sandbox: SandboxPlan;
};

/** The gateway's configuration once its store is known: the start-up-only fields are dropped. */
export function withStore(startup: StartupConfig, store: StoreConfig): GatewayConfig {
  const { store: _store, authMode: _authMode, channelId: _channelId, trustedProxySecret: _proxySecret, sandbox: _sandbox, ...config } = startup;
  return { ...config, store };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const MIN_SECRET_BYTES = 32;
/** Session cookie name; with the `__Host-` prefix whenever the cookie is Secure. */
export const SESSION_COOKIE_NAME = 'sfgw_session';
export const SECURE_SESSION_COOKIE_NAME = `__Host-${SESSION_COOKIE_NAME}`;

export function parseConfig(env: Env): StartupConfig {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const int = (name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const url = (name: string, fallback?: string): string | undefined => {
    const raw = str(name) ?? fallback;
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${raw}")`);
      return undefined;
    }
  };

  const frontDoorDomain = str('GATEWAY_STOREFRONT_DOMAIN')?.toLowerCase();
  // The front door's shoppers are named by customer access tokens, which only a private (or storefront) token
  // honours upstream: with it on, that is the default mode, and impersonation is refused below.
  const authModeRaw = str('BC_AUTH_MODE') ?? (frontDoorDomain ? 'customer-access-token' : 'impersonation');
  let authMode: AuthMode = 'impersonation';
  if (authModeRaw === 'impersonation' || authModeRaw === 'customer-access-token') authMode = authModeRaw;
  else problems.push(`BC_AUTH_MODE must be "impersonation" or "customer-access-token" (got "${authModeRaw}")`);

  const channelId = int('BC_CHANNEL_ID', 1, 1);
  const storefrontUrl = url('BC_STOREFRONT_URL');
  const sandboxMode = str('BC_STOREFRONT_URL') === undefined;
  // Production never falls back to the sandbox: a store that silently served a demo catalogue, with
  // development cookies and a per-process key, would look healthy while being wrong.
  const production = str('NODE_ENV') === 'production';
  if (production && sandboxMode) {
    problems.push('BC_STOREFRONT_URL is required when NODE_ENV=production (sandbox mode is for development only)');
  }
  // A real store's configuration with BC_STOREFRONT_URL forgotten must not become a sandbox carrying that store's
  // client secret: the sandbox would sign Current Customer JWTs the real store's gateways accept. Variables only a
  // real store has (its storefront token and origin) mark the mistake; the sandbox's own identity overrides
  // (BC_STORE_HASH, BC_CLIENT_ID, BC_CLIENT_SECRET, BC_ACCESS_TOKEN) stay available for tests.
  if (sandboxMode) {
    const realStore = ['BC_STOREFRONT_TOKEN', 'BC_STORE_URL'].filter((name) => str(name) !== undefined);
    if (realStore.length > 0) {
      problems.push(`${realStore.join(' and ')} set without BC_STOREFRONT_URL: set BC_STOREFRONT_URL to serve that store (sandbox mode never uses a real store's credentials)`);
    }
  }
  const trustProxy = parseTrustProxy(str('GATEWAY_TRUST_PROXY'));
  if (!trustProxy.ok) {
    problems.push(`GATEWAY_TRUST_PROXY must be true, false, a hop count, or a comma-separated list of proxy addresses/CIDRs: ${trustProxy.problem}`);
  }
  // Browsers refuse Secure cookies over plain http except on localhost; sandbox mode is local development.
  const cookieSecure = bool('GATEWAY_COOKIE_SECURE', !sandboxMode);

  const sessionSecret = str('GATEWAY_SESSION_SECRET');
  if (sessionSecret !== undefined && Buffer.byteLength(sessionSecret) < MIN_SECRET_BYTES) {
    problems.push(`GATEWAY_SESSION_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const serverKey = str('GATEWAY_SERVER_KEY');
  if (serverKey !== undefined && Buffer.byteLength(serverKey) < MIN_SECRET_BYTES) {
    problems.push(`GATEWAY_SERVER_KEY must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const currencyCode = (str('BC_CURRENCY_CODE') ?? 'USD').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currencyCode)) problems.push(`BC_CURRENCY_CODE must be an ISO 4217 code (got "${currencyCode}")`);

  const trustedProxySecret = str('BC_TRUSTED_PROXY_SECRET');
  let store: StoreConfig | undefined;
  if (!sandboxMode) {
    const required = (name: string): string => {
      const value = str(name);
      if (value === undefined) problems.push(`${name} is required when BC_STOREFRONT_URL is set`);
      return value ?? '';
    };
    if (sessionSecret === undefined) problems.push('GATEWAY_SESSION_SECRET is required when BC_STOREFRONT_URL is set');
    store = {
      storeHash: required('BC_STORE_HASH'),
      channelId,
      storefrontUrl: storefrontUrl ?? '',
      storeUrl: str('BC_STORE_URL') === undefined ? required('BC_STORE_URL') : (url('BC_STORE_URL') ?? ''),
      apiUrl: url('BC_API_URL', 'https://api.bigcommerce.com') ?? '',
      accessToken: required('BC_ACCESS_TOKEN'),
      clientId: required('BC_CLIENT_ID'),
      clientSecret: required('BC_CLIENT_SECRET'),
      storefrontToken: required('BC_STOREFRONT_TOKEN'),
      authMode,
      trustedProxySecret,
    };
  }

  const webhookSecret = str('BC_WEBHOOK_SECRET');
  if (webhookSecret !== undefined && Buffer.byteLength(webhookSecret) < MIN_SECRET_BYTES) {
    problems.push(`BC_WEBHOOK_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const redisUrl = str('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  const workers = int('GATEWAY_WORKERS', 1, 1, 64);
  // Each worker would keep its own revocations, counters and spent tokens: their guarantees would diverge.
  if (workers > 1 && redisUrl === undefined) problems.push('GATEWAY_WORKERS > 1 requires REDIS_URL (workers share their state through Redis)');

  const frontDoor = frontDoorDomain === undefined ? undefined : parseFrontDoor(frontDoorDomain, channelId, { str, int, problems });
  if (frontDoor && authMode === 'impersonation') {
    problems.push('GATEWAY_STOREFRONT_DOMAIN requires BC_AUTH_MODE=customer-access-token (front-door shoppers are named by customer access tokens, which impersonation tokens ignore)');
  }
  const tlsCert = str('GATEWAY_TLS_CERT_FILE');
  const tlsKey = str('GATEWAY_TLS_KEY_FILE');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) problems.push('GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE go together');

  const cacheMode = (str('GATEWAY_CACHE') ?? 'on').toLowerCase();
  if (cacheMode !== 'on' && cacheMode !== 'off') problems.push(`GATEWAY_CACHE must be "on" or "off" (got "${cacheMode}")`);

  const config: StartupConfig = {
    production,
    port: int('PORT', 4000, 0, 65535),
    host: str('HOST') ?? '0.0.0.0',
    store,
    authMode,
    channelId,
    trustedProxySecret,
    schemaFile: str('BC_SCHEMA_FILE'),
    upstreamTimeoutMs: int('UPSTREAM_TIMEOUT_MS', 10_000, 1, 300_000),
    // A full batch (10) of operations that each delegate a few fields to the storefront fits several times over.
    maxStorefrontCallsPerRequest: int('GATEWAY_MAX_STOREFRONT_CALLS_PER_REQUEST', 50, 1, 1000),
    session: {
      secret: sessionSecret,
      ttlSeconds: int('GATEWAY_SESSION_TTL_SECONDS', 86_400, 60, 30 * 86_400),
      // The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and Path=/: a
      // sibling subdomain or a plain-http page cannot plant or shadow it (RFC 6265bis §4.1.3.2).
      cookieName: cookieSecure ? SECURE_SESSION_COOKIE_NAME : SESSION_COOKIE_NAME,
      cookieSecure,
    },
    trustProxy: trustProxy.ok ? trustProxy.value : false,
    serverKey,
    currencyCode,
    logLevel: str('LOG_LEVEL') ?? 'info',
    limits: {
      // Above BigCommerce's own depth limit (16, counted by parent types): the count here includes the leaf,
      // and a query BigCommerce serves must never be refused on the way to it.
      maxDepth: int('GATEWAY_MAX_DEPTH', 20, 1, 100),
      // Counted once per fragment spread: BigCommerce's own responsive-image fragment (4 aliases) on the 8
      // images of a product page is 32. Response size is bounded by the selection limits below.
      maxAliases: int('GATEWAY_MAX_ALIASES', 100, 1, 1000),
      maxTokens: int('GATEWAY_MAX_TOKENS', 5000, 100, 100_000),
      maxBodyBytes: int('GATEWAY_MAX_BODY_BYTES', 262_144, 1024, 50 * 1024 * 1024),
      maxBatch: int('GATEWAY_MAX_BATCH', 10, 1, 100),
      // Bounds on validation work (plugins/selection-limits.ts). The largest real storefront queries (Catalyst's
      // product and category pages, fragments expanded) select a few hundred fields in all, well under 100 in
      // one set, and repeat a field at one place only where fragments overlap (tens of pairs): the defaults
      // leave several times that room, while 17 KB of one repeated selection exceeds them.
      maxSelections: int('GATEWAY_MAX_SELECTIONS', 2000, 100, 1_000_000),
      maxSelectionsPerSet: int('GATEWAY_MAX_SELECTIONS_PER_SET', 250, 10, 100_000),
      maxFieldMerges: int('GATEWAY_MAX_FIELD_MERGES', 2000, 10, 10_000_000),
      maxRefusalsPerMinute: int('GATEWAY_MAX_REFUSALS_PER_MINUTE', 30, 1, 1_000_000),
      // Off in production unless enabled: the schema is public through the Storefront API anyway, but the
      // gateway's own additions and a free schema map are not something to serve by default.
      introspection: bool('GATEWAY_INTROSPECTION', !production),
      // Suggestions ("Did you mean …?") map a private schema for an attacker; shown only in local development.
      fieldSuggestions: bool('GATEWAY_FIELD_SUGGESTIONS', sandboxMode),
    },
    loginLimits: {
      windowSeconds: int('GATEWAY_LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
      maxAttemptsPerIp: int('GATEWAY_LOGIN_MAX_ATTEMPTS_PER_IP', 30, 1, 100_000),
      maxFailuresPerEmail: int('GATEWAY_LOGIN_MAX_FAILURES_PER_EMAIL', 5, 1, 100_000),
    },
    corsOrigins: corsOrigins(str('GATEWAY_CORS_ORIGINS'), problems),
    graphiql: bool('GATEWAY_GRAPHIQL', !production),
    upstreamRetries: int('UPSTREAM_RETRIES', 2, 0, 5),
    schemaRefreshSeconds: int('GATEWAY_SCHEMA_REFRESH_SECONDS', 300, 0, 86_400),
    shutdownTimeoutMs: int('GATEWAY_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 300_000),
    // Long enough for a load balancer probing every second or two to see two failed probes and stop sending.
    shutdownDrainMs: int('GATEWAY_SHUTDOWN_DRAIN_MS', 5000, 0, 300_000),
    webhookSecret,
    frontDoor,
    tls: tlsCert !== undefined && tlsKey !== undefined ? { certFile: tlsCert, keyFile: tlsKey } : undefined,
    redis: redisUrl === undefined ? undefined : { url: redisUrl, keyPrefix: str('REDIS_KEY_PREFIX') ?? 'sfgw:' },
    workers,
    restBudget: {
      maxCallsPerRequest: int('GATEWAY_MAX_REST_CALLS_PER_REQUEST', 10, 1, 1000),
      clientCallsPerMinute: int('GATEWAY_CLIENT_REST_CALLS_PER_MINUTE', 120, 1, 1_000_000),
      reserveFraction: int('GATEWAY_REST_QUOTA_RESERVE_PERCENT', 20, 0, 90) / 100,
    },
    server: {
      requestTimeoutMs: int('GATEWAY_REQUEST_TIMEOUT_MS', 10_000, 1000, 300_000),
      // Slow-header connections (slowloris) each hold a slot until this; real clients send headers in one packet.
      headersTimeoutMs: int('GATEWAY_HEADERS_TIMEOUT_MS', 5000, 500, 300_000),
      maxConnections: int('GATEWAY_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
      // A browser opens 6-8 per origin; room for an office behind one NAT address, not for one client's thousands.
      maxConnectionsPerAddress: int('GATEWAY_MAX_CONNECTIONS_PER_ADDRESS', 256, 1, 1_000_000),
    },
    cache: {
      enabled: cacheMode !== 'off',
      // At most a day: customer-group edits have no webhook, so the TTL is what bounds them.
      ttlSeconds: int('GATEWAY_CACHE_TTL_SECONDS', 300, 1, 86_400),
      maxBytes: int('GATEWAY_CACHE_MAX_MB', 64, 1, 65_536) * 1024 * 1024,
      debugHeader: bool('GATEWAY_CACHE_DEBUG_HEADER', false),
    },
    sandbox: {
      port: int('SANDBOX_PORT', 4010, 0, 65535),
      rateLimitQuota: str('SANDBOX_RATE_LIMIT_QUOTA') === undefined ? undefined : int('SANDBOX_RATE_LIMIT_QUOTA', 150, 1),
      storeHash: str('BC_STORE_HASH'),
      clientId: str('BC_CLIENT_ID'),
      clientSecret: str('BC_CLIENT_SECRET'),
      accessToken: str('BC_ACCESS_TOKEN'),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Catalyst's client reports any 401 with a token that is not JWT-shaped as a misconfigured storefront token, so
 * the values storefront servers send must look like one (three base64url segments, a JSON object in the middle).
 */
export function looksLikeJwt(token: string): boolean {
  const segments = token.split('.');
  if (segments.length !== 3 || !segments.every((segment) => BASE64URL_SEGMENT.test(segment))) return false;
  try {
    const payload: unknown = JSON.parse(Buffer.from(segments[1], 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload);
  } catch {
    return false;
  }
}

function parseFrontDoor(
  domain: string,
  channelId: number,
  read: { str: (name: string) => string | undefined; int: (name: string, fallback: number, min?: number, max?: number) => number; problems: string[] },
): FrontDoorConfig {
  const { problems } = read;
  if (!DOMAIN.test(domain)) problems.push(`GATEWAY_STOREFRONT_DOMAIN must be a DNS name such as gw.example.com (got "${domain}")`);
  const channels = [channelId];
  for (const raw of (read.str('GATEWAY_STOREFRONT_CHANNELS') ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const channel = Number(raw);
    if (!Number.isInteger(channel) || channel < 1) problems.push(`GATEWAY_STOREFRONT_CHANNELS must list channel ids (got "${raw}")`);
    else if (!channels.includes(channel)) channels.push(channel);
  }
  const clientTokens = (read.str('GATEWAY_STOREFRONT_CLIENT_TOKENS') ?? '').split(',').map((token) => token.trim()).filter(Boolean);
  if (clientTokens.length === 0) problems.push('GATEWAY_STOREFRONT_CLIENT_TOKENS is required with GATEWAY_STOREFRONT_DOMAIN (mint one with `npm run client-token`)');
  for (const token of clientTokens) {
    if (!looksLikeJwt(token) || Buffer.byteLength(token) < MIN_SECRET_BYTES) {
      problems.push('GATEWAY_STOREFRONT_CLIENT_TOKENS entries must be JWT-shaped and at least 32 bytes (mint one with `npm run client-token`)');
      break;
    }
  }
  return { domain, channels, clientTokens, identitySeconds: read.int('GATEWAY_CUSTOMER_TOKEN_MEMORY_SECONDS', 60, 1, 3600) };
}

function corsOrigins(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined) return [];
  const origins = raw.split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    let valid = false;
    try {
      valid = new URL(origin).origin === origin;
    } catch {
      valid = false;
    }
    if (!valid) problems.push(`GATEWAY_CORS_ORIGINS entries must be origins like https://shop.example.com (got "${origin}")`);
  }
  return origins;
}
