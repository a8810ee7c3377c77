import { readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { stitchSchemas } from '@graphql-tools/stitch';
import { FilterRootFields } from '@graphql-tools/wrap';
import { OperationTypeNode, parse, printSchema, type GraphQLSchema } from 'graphql';
import { createYoga, useReadinessCheck, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config';
import { createContextFactory, type GatewayContext } from './context';
import { maskError, validationErrorCodesPlugin } from './error-masking';
import { clearedSessionCookie } from './auth/session-cookie';
import { createLoginThrottle } from './auth/login-throttle';
import { createSessionTokens, deriveSessionKey } from './auth/session-token';
import { createMemoryStores } from './state/memory';
import type { GatewayStores } from './state/types';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql-examples';
import { withBodyLimit } from './http/body-limit';
import { createLogger, yogaLogging } from './logger';
import { csrfPreventionPlugin } from './plugins/csrf';
import { graphiqlPagePlugin } from './plugins/graphiql-page';
import { createMetrics } from './plugins/metrics';
import { operationLimitPlugins } from './plugins/operation-limits';
import { requestLogPlugin } from './plugins/request-log';
import { gatewayFieldCoordinates, storefrontPassthroughPlugin } from './plugins/storefront-passthrough';
import { createRestClient } from './remote/rest-client';
import { createCircuitBreaker } from './remote/resilient-executor';
import { createStorefrontExecutor, loadStorefrontSchema, storefrontResilience, type StorefrontSubschema } from './remote/storefront';
import { createDirectStorefrontExecutor } from './remote/storefront-direct';
import type { FetchFn } from './remote/upstream-fetch';
import { projectRoot } from './project-root';
import { createResolvers } from './resolvers';
import type { ResolverDeps } from './resolvers/deps';

export interface GatewayDeps {
  fetch?: FetchFn;
  now?: () => number;
  logger?: Logger;
  /** Skip introspection (tests that already hold the schema). */
  storefrontSchema?: GraphQLSchema;
  /** Shared state (revocations, login counters, single-use token ids); in memory unless given (e.g. Redis). */
  stores?: GatewayStores;
  /** Process-level metrics (CPU, memory, event loop) in /metrics; off in tests that run many gateways. */
  defaultMetrics?: boolean;
}

type ServerContext = { req: IncomingMessage; res: ServerResponse };

export interface Gateway {
  yoga: YogaServerInstance<ServerContext, GatewayContext>;
  /** The node:http listener: yoga behind the request-body limit. */
  handler: RequestListener;
  /** The schema currently served (replaced when a periodic re-introspection finds a change). */
  readonly schema: GraphQLSchema;
  config: GatewayConfig;
  /** Re-introspect now; keeps the current schema when that fails. Resolves true when the schema changed. */
  reloadSchema(): Promise<boolean>;
  /** Stops background work (schema refresh). */
  close(): void;
}

const GRAPHQL_ENDPOINT = '/graphql';

/** Storefront root fields the gateway answers itself (DESIGN.md "GraphQL surface"). */
const INTERCEPTED_MUTATIONS = new Set(['login', 'logout']);
const READY_PROBE = parse('query GatewayReadiness { __typename }');

/** The gateway's own SDL: every file in schema/gateway/. */
export function gatewayTypeDefs(): string[] {
  const dir = join(projectRoot(), 'schema', 'gateway');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(dir, file), 'utf8'));
}

export async function createGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  const fetchFn = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? false });
  const { store } = config;

  // Both storefront paths (stitched and pass-through) share retries and one circuit breaker.
  const breaker = createCircuitBreaker({ failureThreshold: 5, openMs: 2000, now });
  const resilient = storefrontResilience({ retries: config.upstreamRetries, breaker });
  const executor = resilient(createStorefrontExecutor({ store, fetch: fetchFn, timeoutMs: config.upstreamTimeoutMs, observe: metrics.observeUpstream }));
  const direct = createDirectStorefrontExecutor({ store, timeoutMs: config.upstreamTimeoutMs, observe: metrics.observeUpstream, now });
  const directExecutor = resilient(direct.executor);
  const rest = createRestClient({
    apiUrl: store.apiUrl,
    storeHash: store.storeHash,
    accessToken: store.accessToken,
    fetch: fetchFn,
    timeoutMs: config.upstreamTimeoutMs,
    observe: metrics.observeUpstream,
  });
  const sessionTokens = createSessionTokens({ key: deriveSessionKey(config.session.secret), now, ttlSeconds: config.session.ttlSeconds });
  const stores = deps.stores ?? createMemoryStores(now);
  const loginThrottle = createLoginThrottle({ store: stores.counters, limits: config.loginLimits, now });
  const cookie = { name: config.session.cookieName, secure: config.session.cookieSecure };
  const typeDefs = gatewayTypeDefs();

  /**
   * Stitches a storefront schema with the gateway's own fields; called at start and on each schema change.
   * Also returns the coordinates the gateway answers itself, which decide the fast path.
   */
  function compose(remoteSchema: GraphQLSchema): { schema: GraphQLSchema; gatewayFields: Set<string> } {
    const storefront: StorefrontSubschema = {
      schema: remoteSchema,
      executor,
      // Root fields of one request share one upstream request.
      batch: true,
      transforms: [new FilterRootFields((operation, fieldName) => !(operation === 'Mutation' && INTERCEPTED_MUTATIONS.has(fieldName)))],
    };
    const resolverDeps: ResolverDeps = {
      config,
      store,
      // The gateway's own storefront operations (profile, login, cart check) need no stitching plan.
      executor: directExecutor,
      rest,
      storefront,
      sessionTokens,
      stores,
      loginThrottle,
      cookie,
      now,
      log: (event, fields) => logger.info(fields, event),
    };
    const resolvers = createResolvers(resolverDeps, remoteSchema);
    return {
      schema: stitchSchemas({ subschemas: [storefront], typeDefs, resolvers }),
      gatewayFields: gatewayFieldCoordinates(typeDefs, resolvers, parse),
    };
  }

  const initialSchema = deps.storefrontSchema ?? (await loadStorefrontSchema({ executor, schemaFile: config.schemaFile }));
  let remoteSdl = printSchema(initialSchema);
  let { schema, gatewayFields } = compose(initialSchema);

  async function reloadSchema(): Promise<boolean> {
    try {
      const remoteSchema = await loadStorefrontSchema({ executor, schemaFile: config.schemaFile });
      const sdl = printSchema(remoteSchema);
      if (sdl === remoteSdl) return false;
      const composed = compose(remoteSchema);
      remoteSdl = sdl;
      ({ schema, gatewayFields } = composed);
      logger.info({}, 'storefront schema changed: new schema in service');
      return true;
    } catch (error) {
      logger.warn({ message: error instanceof Error ? error.message : String(error) }, 'storefront schema reload failed; keeping the last good schema');
      return false;
    }
  }
  const refreshTimer =
    config.schemaRefreshSeconds > 0 && !deps.storefrontSchema
      ? setInterval(() => void reloadSchema(), config.schemaRefreshSeconds * 1000)
      : undefined;
  refreshTimer?.unref();

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

  const yoga = createYoga<ServerContext, GatewayContext>({
    schema: () => schema,
    context: ({ request, req }) => {
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
    // The body limit is enforced on Content-Length before yoga reads anything (http/body-limit.ts);
    // yoga's own streaming limit would add a transform stream to every request.
    maxRequestBodySize: false,
    // Cross-origin browsers only from the configured origins; credentials (the session cookie) only to them.
    cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: true } : false,
    logging: yogaLogging(logger),
    plugins: [
      ...(config.graphiql
        ? [graphiqlPagePlugin({ endpoint: GRAPHQL_ENDPOINT, options: { title: 'Storefront gateway', defaultQuery: GRAPHIQL_DEFAULT_QUERY } })]
        : []),
      metrics.plugin('/metrics'),
      requestLogPlugin({ logger, metrics, now, graphqlEndpoint: GRAPHQL_ENDPOINT }) as Plugin,
      // Cookie-authenticated requests must not be "simple" requests a foreign page can send without preflight.
      csrfPreventionPlugin(),
      validationErrorCodesPlugin(),
      ...operationLimitPlugins(config.limits),
      storefrontPassthroughPlugin({ executor: directExecutor, gatewayFields: () => gatewayFields }) as Plugin,
      setCookies,
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          const result = (await directExecutor({ document: READY_PROBE, context: undefined, operationType: OperationTypeNode.QUERY })) as { data?: unknown };
          return Boolean(result.data);
        },
      }),
    ],
  });
  const handler = withBodyLimit(config.limits.maxBodyBytes, yoga as unknown as RequestListener);
  return {
    yoga,
    handler,
    get schema() {
      return schema;
    },
    config,
    reloadSchema,
    close: () => {
      clearInterval(refreshTimer);
      void direct.close();
    },
  };
}

