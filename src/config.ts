/**
 * Environment → typed, validated configuration. Parsed once, at the edge (src/main.ts);
 * everything below receives plain typed values. Every problem is collected and reported at once.
 */

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
  port: number;
  host: string;
  store: StoreConfig;
  /** Read the storefront schema from this SDL/introspection file instead of introspecting. */
  schemaFile?: string;
  upstreamTimeoutMs: number;
  session: {
    /** ≥ 32 bytes. Undefined only in sandbox mode, where a random per-process key is used. */
    secret?: string;
    ttlSeconds: number;
    cookieName: string;
    cookieSecure: boolean;
  };
  /** Honour `X-Forwarded-For` for the shopper's IP (only behind a proxy you control). */
  trustProxy: boolean;
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
  /** Time in-flight requests get to finish on SIGTERM/SIGINT. */
  shutdownTimeoutMs: number;
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
  introspection: boolean;
  fieldSuggestions: boolean;
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

  const authModeRaw = str('BC_AUTH_MODE') ?? 'impersonation';
  let authMode: AuthMode = 'impersonation';
  if (authModeRaw === 'impersonation' || authModeRaw === 'customer-access-token') authMode = authModeRaw;
  else problems.push(`BC_AUTH_MODE must be "impersonation" or "customer-access-token" (got "${authModeRaw}")`);

  const channelId = int('BC_CHANNEL_ID', 1, 1);
  const storefrontUrl = url('BC_STOREFRONT_URL');
  const sandboxMode = str('BC_STOREFRONT_URL') === undefined;

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

  const config: StartupConfig = {
    port: int('PORT', 4000, 0, 65535),
    host: str('HOST') ?? '0.0.0.0',
    store,
    authMode,
    channelId,
    trustedProxySecret,
    schemaFile: str('BC_SCHEMA_FILE'),
    upstreamTimeoutMs: int('UPSTREAM_TIMEOUT_MS', 10_000, 1, 300_000),
    session: {
      secret: sessionSecret,
      ttlSeconds: int('GATEWAY_SESSION_TTL_SECONDS', 86_400, 60, 30 * 86_400),
      cookieName: 'sfgw_session',
      // Browsers refuse Secure cookies over plain http except on localhost; sandbox mode is local development.
      cookieSecure: bool('GATEWAY_COOKIE_SECURE', !sandboxMode),
    },
    trustProxy: bool('GATEWAY_TRUST_PROXY', false),
    serverKey,
    currencyCode,
    logLevel: str('LOG_LEVEL') ?? 'info',
    limits: {
      maxDepth: int('GATEWAY_MAX_DEPTH', 16, 1, 100),
      maxAliases: int('GATEWAY_MAX_ALIASES', 30, 1, 1000),
      maxTokens: int('GATEWAY_MAX_TOKENS', 5000, 100, 100_000),
      maxBodyBytes: int('GATEWAY_MAX_BODY_BYTES', 262_144, 1024, 50 * 1024 * 1024),
      maxBatch: int('GATEWAY_MAX_BATCH', 10, 1, 100),
      introspection: bool('GATEWAY_INTROSPECTION', true),
      // Suggestions ("Did you mean …?") map a private schema for an attacker; shown only in local development.
      fieldSuggestions: bool('GATEWAY_FIELD_SUGGESTIONS', sandboxMode),
    },
    loginLimits: {
      windowSeconds: int('GATEWAY_LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
      maxAttemptsPerIp: int('GATEWAY_LOGIN_MAX_ATTEMPTS_PER_IP', 30, 1, 100_000),
      maxFailuresPerEmail: int('GATEWAY_LOGIN_MAX_FAILURES_PER_EMAIL', 5, 1, 100_000),
    },
    corsOrigins: corsOrigins(str('GATEWAY_CORS_ORIGINS'), problems),
    graphiql: bool('GATEWAY_GRAPHIQL', true),
    upstreamRetries: int('UPSTREAM_RETRIES', 2, 0, 5),
    schemaRefreshSeconds: int('GATEWAY_SCHEMA_REFRESH_SECONDS', 300, 0, 86_400),
    shutdownTimeoutMs: int('GATEWAY_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 300_000),
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
