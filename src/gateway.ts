import { OperationTypeNode, parse, type GraphQLSchema } from 'graphql';
import { createYoga, useReadinessCheck, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config';
import { createContextFactory, type GatewayContext } from './context';
import { maskError, validationErrorCodesPlugin } from './error-masking';
import { clearedSessionCookie } from './auth/session-cookie';
import { createLoginThrottle } from './auth/login-throttle';
import { createSessionTokens, deriveSessionKey } from './auth/session-token';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql-examples';
import { createLogger, yogaLogging } from './logger';
import { bodyLimitPlugin } from './plugins/body-limit';
import { csrfPreventionPlugin } from './plugins/csrf';
import { graphiqlPagePlugin } from './plugins/graphiql-page';
import { createMetrics } from './plugins/metrics';
import { operationLimitPlugins } from './plugins/operation-limits';
import { requestLogPlugin } from './plugins/request-log';
import { storefrontPassthroughPlugin } from './plugins/storefront-passthrough';
import type { HttpClient } from './remote/http';
import { createResolvers } from './resolvers';
import type { ResolverDeps } from './resolvers/deps';
import { createSchemaManager } from './schema-manager';
import { createMemoryStores } from './state/memory';
import type { GatewayStores } from './state/types';
import { createUpstreams } from './upstreams';

export interface GatewayDeps {
  /** The gateway's only way out to BigCommerce (Storefront GraphQL and REST); tests inject their own. */
  http?: HttpClient;
  /** Clock of sessions and JWTs (deadlines and backoff run on timers). */
  now?: () => number;
  logger?: Logger;
  /** Skip introspection (tests that already hold the schema). */
  storefrontSchema?: GraphQLSchema;
  /** Shared state (revocations, login counters, single-use token ids); in memory unless given (e.g. Redis). */
  stores?: GatewayStores;
  /** Process-level metrics (CPU, memory, event loop) in /metrics; off in tests that run many gateways. */
  defaultMetrics?: boolean;
}

export interface Gateway {
  /** Serve it with `serve()` (src/http/serve.ts) or call `yoga.fetch` directly: both take the same path. */
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  /** The schema currently served (replaced when a periodic re-introspection finds a change). */
  readonly schema: GraphQLSchema;
  config: GatewayConfig;
  /** Re-introspect now; keeps the current schema when that fails. Resolves true when the schema changed. */
  reloadSchema(): Promise<boolean>;
  /** Stops background work and closes upstream connections and shared-state clients it created. */
  close(): Promise<void>;
}

const GRAPHQL_ENDPOINT = '/graphql';
const READY_PROBE = parse('query GatewayReadiness { __typename }');

/**
 * The composition root, top to bottom: upstreams, identity services and shared state (built once), the
 * schema manager (compose and reload), then yoga with its plugins in order.
 */
export async function createGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? false });

  // 1. Upstreams: one HTTP client; per upstream a deadline-aware retry policy and a circuit breaker.
  const upstreams = createUpstreams(config, { http: deps.http, metrics });

  // 2. Identity and shared state: built once per gateway, so a schema change never resets a guarantee.
  const stores = deps.stores ?? createMemoryStores(now);
  const sessionTokens = createSessionTokens({ key: deriveSessionKey(config.session.secret), now, ttlSeconds: config.session.ttlSeconds });
  const loginThrottle = createLoginThrottle({ store: stores.counters, limits: config.loginLimits, now });
  const cookie = { name: config.session.cookieName, secure: config.session.cookieSecure };

  // 3. Resolvers (once), and the schema they are stitched into (recomposed when the storefront's changes).
  let schemas: Awaited<ReturnType<typeof createSchemaManager>> | undefined;
  const resolverDeps: ResolverDeps = {
    config,
    store: config.store,
    executor: upstreams.storefront,
    rest: upstreams.rest,
    subschema: () => {
      if (!schemas) throw new Error('schema not composed yet');
      return schemas.current().subschema;
    },
    sessionTokens,
    stores,
    loginThrottle,
    cookie,
    now,
    log: (event, fields) => logger.info(fields, event),
  };
  schemas = await createSchemaManager({
    executor: upstreams.storefront,
    schemaFile: config.schemaFile,
    storefrontSchema: deps.storefrontSchema,
    resolvers: createResolvers(resolverDeps),
    refreshSeconds: config.schemaRefreshSeconds,
    logger,
  });
  const schemaManager = schemas;

  // 4. Yoga.
  const buildContext = createContextFactory({
    sessionTokens,
    revocations: stores.revocations,
    cookieName: config.session.cookieName,
    clearedCookie: clearedSessionCookie(cookie),
    trustProxy: config.trustProxy,
    serverKey: config.serverKey,
  });
  const responseCookies = new WeakMap<Request, string[]>();
  const setCookies: Plugin = {
    onResponse({ request, response }) {
      for (const value of responseCookies.get(request) ?? []) response.headers.append('set-cookie', value);
    },
  };

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: () => schemaManager.current().schema,
    context: ({ request, req }: { request: Request; req?: { socket?: { remoteAddress?: string } } }) => {
      // One list per HTTP request: the operations of a batch share it, so every Set-Cookie reaches the response.
      let cookies = responseCookies.get(request);
      if (!cookies) responseCookies.set(request, (cookies = []));
      return buildContext(request, req?.socket?.remoteAddress, cookies);
    },
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Served by graphiqlPagePlugin (compressed, cacheable), with its code inlined: no CDN needed.
    graphiql: false,
    maskedErrors: { maskError },
    batching: { limit: config.limits.maxBatch },
    // bodyLimitPlugin checks Content-Length before anything is read.
    maxRequestBodySize: false,
    // Cross-origin browsers only from the configured origins; credentials (the session cookie) only to them.
    cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: true } : false,
    logging: yogaLogging(logger),
    // Order matters: onRequest hooks run top to bottom, so the body limit answers before anything else reads
    // the request; the request log starts its clock next. Validation-time limits must precede execution, and
    // the fast path comes after every plugin that inspects or stops execution (it replaces the execute function).
    plugins: [
      bodyLimitPlugin(config.limits.maxBodyBytes),
      ...(config.graphiql
        ? [graphiqlPagePlugin({ endpoint: GRAPHQL_ENDPOINT, options: { title: 'Storefront gateway', defaultQuery: GRAPHIQL_DEFAULT_QUERY } })]
        : []),
      metrics.plugin('/metrics'),
      requestLogPlugin({ logger, metrics, now, graphqlEndpoint: GRAPHQL_ENDPOINT }) as Plugin,
      // Cookie-authenticated requests must not be "simple" requests a foreign page can send without preflight.
      csrfPreventionPlugin(),
      validationErrorCodesPlugin(),
      ...operationLimitPlugins(config.limits),
      storefrontPassthroughPlugin({ executor: upstreams.storefront, gatewayFields: () => schemaManager.current().gatewayFields }) as Plugin,
      setCookies,
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          const result = (await upstreams.storefront({ document: READY_PROBE, context: undefined, operationType: OperationTypeNode.QUERY })) as { data?: unknown };
          return Boolean(result.data);
        },
      }),
    ],
  });
  return {
    yoga,
    get schema() {
      return schemaManager.current().schema;
    },
    config,
    reloadSchema: () => schemaManager.reload(),
    close: async () => {
      schemaManager.close();
      await upstreams.close();
      if (!deps.stores) await stores.close();
    },
  };
}
