import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config';
import { createContextFactory, isTrustedServer, type GatewayContext } from './context';
import { maskError, validationErrorCodesPlugin } from './error-masking';
import { clearedSessionCookie } from './auth/session-cookie';
import { createLoginThrottle } from './auth/login-throttle';
import { createSessionTokens, deriveSessionKey } from './auth/session-token';
import { createSessionService } from './auth/sessions';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql-examples';
import { createLogger, yogaLogging } from './logger';
import { bodyLimitPlugin } from './plugins/body-limit';
import { csrfPreventionPlugin } from './plugins/csrf';
import { graphiqlPagePlugin } from './plugins/graphiql-page';
import { createMetrics, type MetricsExposition } from './plugins/metrics';
import { createReadiness } from './plugins/readiness';
import { operationLimitPlugins } from './plugins/operation-limits';
import { boundedParseCaches } from './plugins/parse-cache';
import { refusalThrottlePlugin } from './plugins/refusal-throttle';
import { requestLogPlugin } from './plugins/request-log';
import { corsFor, responseHeadersPlugin } from './plugins/response-headers';
import { storefrontPassthroughPlugin } from './plugins/storefront-passthrough';
import type { HttpClient } from './remote/http';
import type { UpstreamTally } from './remote/upstream-budget';
import { createResolvers } from './resolvers';
import type { ResolverDeps } from './resolvers/deps';
import { createSchemaManager } from './schema-manager';
import { createGatewayStores } from './state';
import type { GatewayStores } from './state/types';
import { createUpstreams } from './upstreams';
import { createClientAddressResolver } from './http/client-address';
import { WEBHOOK_SECRET_HEADER, createCustomerChanges, createCustomerLookup, createPriceListGroupResolver, webhookEndpointPlugin, webhookMetrics } from './webhooks';
import { createCustomerGroupMemory, rememberingGroups } from './cache/customer-groups';
import { createGroupConfirmation } from './cache/group-confirmation';
import { createCacheFront, createCacheInvalidator } from './cache/cache-front';
import type { CacheInvalidator } from './cache/invalidation';
import { createResponseCache } from './cache/response-cache';
import { createCustomerTokenIdentity } from './front-door/customer-token-identity';
import { createFrontDoor } from './front-door/plugin';
import { frontDoorShopperMutationsPlugin } from './front-door/shopper-mutations';

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
  /** What /metrics answers (default: this gateway's registry); a cluster worker's answers every worker's sum. */
  metricsExposition?: MetricsExposition;
}

export interface Gateway {
  /** Serve it with `serve()` (src/http/serve.ts) or call `yoga.fetch` directly: both take the same path. */
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  /** The schema currently served (replaced when a periodic re-introspection finds a change). */
  readonly schema: GraphQLSchema;
  config: GatewayConfig;
  /**
   * Invalidates cached answers and prices by scope (src/cache/invalidation.ts), for every instance sharing the
   * cache store; what the webhook endpoint calls.
   */
  cacheInvalidator: CacheInvalidator;
  /** Shutdown drain: `/ready` answers 503 from now on while requests are still served. */
  drain(): void;
  /** Re-introspect now; keeps the current schema when that fails. Resolves true when the schema changed. */
  reloadSchema(): Promise<boolean>;
  /** Stops background work and closes upstream connections and shared-state clients it created. */
  close(): Promise<void>;
}

const GRAPHQL_ENDPOINT = '/graphql';
/** BigCommerce's batch events (up to 1,000 price records) are larger than any GraphQL request. */
const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;
/** Parsed documents kept (estimated bytes), and the largest document text worth keeping. */
const PARSE_CACHE_BYTES = 64 * 1024 * 1024;
const PARSE_CACHE_MAX_DOCUMENT_BYTES = 64 * 1024;
/**
 * The composition root, top to bottom: upstreams, identity services and shared state (built once), the
 * schema manager (compose and reload), then yoga with its plugins in order.
 */
export async function createGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? false, exposition: deps.metricsExposition });

  // 1. Shared state: built once per gateway, so a schema change never resets a guarantee.
  const stores =
    deps.stores ?? (await createGatewayStores(config, { metrics, logger, now }));

  // 2. Upstreams: one HTTP client; per upstream a deadline-aware retry policy and a circuit breaker; the per-client
  // REST budget counts in the shared counters.
  const upstreams = createUpstreams(config, { http: deps.http, metrics, counters: stores.counters, now });

  // 3. Cache front and identity, on that shared state.
  // One cache front per gateway, shared by the response cache, the pricing loader and the invalidator: an
  // invalidation made here is seen by this instance's next request at once (its epoch memo is cleared).
  const cacheStore = createCacheFront(stores.cache, { maxWriteBytes: config.cache.maxBytes, writeWindowMs: config.cache.ttlSeconds * 1000 });
  const cacheInvalidator = createCacheInvalidator(cacheStore);
  metrics.measureCacheBytes(() => stores.cache.bytesHeld());
  const sessionTokens = createSessionTokens({ key: deriveSessionKey(config.session.secret), now, ttlSeconds: config.session.ttlSeconds });
  const loginThrottle = createLoginThrottle({ store: stores.counters, limits: config.loginLimits, now });
  const cookie = { name: config.session.cookieName, secure: config.session.cookieSecure };
  // The groups sessions were issued with, per customer: what a `store/customer/updated` is compared with.
  const customerGroups = createCustomerGroupMemory(stores.cache, (config.session.ttlSeconds + 60) * 1000);
  const sessions = rememberingGroups(
    createSessionService({
      tokens: sessionTokens,
      ttlSeconds: config.session.ttlSeconds,
      revocations: stores.revocations,
      counters: stores.counters,
      cookie,
      now,
      log: (event, fields) => logger.info(fields, event),
    }),
    customerGroups,
  );
  const customerChanges = createCustomerChanges({
    lookup: createCustomerLookup(upstreams.rest),
    memory: customerGroups,
    endSessions: (customerId) => sessions.endAllOf(customerId),
    invalidateGroups: (groups) => cacheInvalidator.invalidate(groups.map((customerGroupId) => ({ kind: 'group', customerGroupId }))),
    log: (event, fields) => logger.info(fields, event),
  });

  // 4. Resolvers (once), and the schema they are stitched into (recomposed when the storefront's changes).
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
    sessions,
    stores: { ...stores, cache: cacheStore },
    loginThrottle,
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

  // 5. Yoga.
  // Compiled once (a CIDR list becomes a BlockList); the context and the refused-document throttle share it.
  const clientAddress = createClientAddressResolver(config.trustProxy);
  const perRequest = new WeakMap<Request, { responseCookies: string[]; tally: UpstreamTally; loaders: Map<string, unknown> }>();
  const frontDoor = config.frontDoor
    ? createFrontDoor({
        config: config.frontDoor,
        storeHash: config.store.storeHash,
        graphqlEndpoint: GRAPHQL_ENDPOINT,
        sitemap: upstreams.sitemap,
        tallyOf: (request) => perRequest.get(request)?.tally,
      })
    : undefined;
  const customerTokens = config.frontDoor
    ? createCustomerTokenIdentity({
        executor: upstreams.storefront,
        cache: stores.cache,
        revocations: stores.revocations,
        stateSince: () => stores.stateSince(),
        storeHash: config.store.storeHash,
        memorySeconds: config.frontDoor.identitySeconds,
        now,
      })
    : undefined;
  const buildContext = createContextFactory({
    sessionTokens,
    revocations: stores.revocations,
    stateSince: () => stores.stateSince(),
    cookieName: config.session.cookieName,
    clearedCookie: clearedSessionCookie(cookie),
    clientAddress,
    serverKey: config.serverKey,
    channelId: config.store.channelId,
    frontDoorOf: (request) => frontDoor?.requestOf(request),
    customerTokens,
  });
  // BigCommerce's webhooks invalidate the cache; answered before anything else reads the request (a batch price
  // list event may exceed the GraphQL body limit, and BigCommerce would retry a 413 for two days).
  const webhooks = webhookEndpointPlugin({
    clientSecret: config.store.clientSecret,
    customSecret: config.webhookSecret ? { header: WEBHOOK_SECRET_HEADER, value: config.webhookSecret } : undefined,
    singleUse: stores.singleUse,
    invalidator: {
      // Cache scopes bump epochs; a changed customer is looked up (a new group or a deletion ends their sessions).
      invalidate: async (scopes) => {
        await Promise.all([
          cacheInvalidator.invalidate(scopes),
          ...scopes.flatMap((scope) => (scope.kind === 'customer' ? [customerChanges.apply(scope.customerId, scope.change)] : [])),
        ]);
      },
    },
    resolveGroupsOfPriceList: createPriceListGroupResolver(upstreams.rest, (error) =>
      logger.warn({ message: error instanceof Error ? error.message : String(error) }, 'webhook: price list lookup failed; invalidating everything'),
    ),
    logger,
    now,
    clientAddress: (request, serverContext) =>
      clientAddress((serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req?.socket?.remoteAddress, request.headers.get('x-forwarded-for')),
    maxBodyBytes: WEBHOOK_MAX_BODY_BYTES,
    storeHash: config.store.storeHash,
    observe: webhookMetrics(metrics.registry),
  });
  const responseCache = createResponseCache({
    config: config.cache,
    store: cacheStore,
    storeHash: config.store.storeHash,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    confirmGroup: createGroupConfirmation({
      executor: upstreams.storefront,
      onMismatch: (customerId, named, current) => {
        customerChanges.observed(customerId, named, current).catch((error: unknown) =>
          logger.warn({ customerId, error: error instanceof Error ? error.name : typeof error }, 'cache: could not apply a customer group change'),
        );
      },
    }),
    serverKey: config.serverKey,
    isStorefrontServer: (request) => frontDoor?.requestOf(request) !== undefined,
    metrics,
  });
  const readiness = createReadiness({ upstreams, stores, now });
  const setCookies: Plugin = {
    onResponse({ request, response }) {
      for (const value of perRequest.get(request)?.responseCookies ?? []) response.headers.append('set-cookie', value);
    },
  };

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: () => schemaManager.current().schema,
    context: ({ request, req }: { request: Request; req?: { socket?: { remoteAddress?: string } } }) => {
      // One per HTTP request: the operations of a batch share cookies, upstream deadline and REST call bound.
      let shared = perRequest.get(request);
      if (!shared) perRequest.set(request, (shared = { responseCookies: [], tally: { upstreamCalls: 0 }, loaders: new Map() }));
      return buildContext(request, req?.socket?.remoteAddress, shared);
    },
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Served by graphiqlPagePlugin (compressed, cacheable), with its code inlined: no CDN needed.
    graphiql: false,
    maskedErrors: { maskError },
    parserAndValidationCache: boundedParseCaches({ maxBytes: PARSE_CACHE_BYTES, maxDocumentBytes: PARSE_CACHE_MAX_DOCUMENT_BYTES }),
    batching: { limit: config.limits.maxBatch },
    // bodyLimitPlugin checks Content-Length before anything is read.
    maxRequestBodySize: false,
    // Cross-origin browsers only from the configured origins; credentials (the session cookie) only to them.
    cors: corsFor(config.corsOrigins),
    logging: yogaLogging(logger),
    // Order matters: onRequest hooks run top to bottom, so the body limit answers before anything else reads
    // the request; the request log starts its clock next. Validation-time limits must precede execution, and
    // the fast path comes after every plugin that inspects or refuses an operation (it replaces the execute function).
    // The response cache comes after the fast path: a hit stops execution before the fast path's upstream call,
    // and on a miss its onExecuteDone runs last, so it stores the final answer whatever produced it (envelop
    // runs onExecute and onExecuteDone hooks in plugin order). test/cache/plugin-order.test.ts holds it to that.
    plugins: [
      webhooks,
      ...(frontDoor ? [frontDoor.plugin] : []),
      bodyLimitPlugin(config.limits.maxBodyBytes),
      responseHeadersPlugin({ graphqlEndpoint: GRAPHQL_ENDPOINT }),
      ...(config.graphiql
        ? [graphiqlPagePlugin({ endpoint: GRAPHQL_ENDPOINT, options: { title: 'Storefront gateway', defaultQuery: GRAPHIQL_DEFAULT_QUERY } })]
        : []),
      metrics.plugin('/metrics'),
      refusalThrottlePlugin({
        maxPerMinute: config.limits.maxRefusalsPerMinute,
        clientAddress,
        graphqlEndpoint: GRAPHQL_ENDPOINT,
        now,
        // A storefront server on the front door is many shoppers behind one address, as a trusted server is.
        isTrustedServer: (request) => isTrustedServer(request, config.serverKey) || frontDoor?.requestOf(request) !== undefined,
      }),
      requestLogPlugin({ logger, metrics, now, graphqlEndpoint: GRAPHQL_ENDPOINT, cacheStatus: responseCache.statusOf }) as Plugin,
      // Cookie-authenticated requests must not be "simple" requests a foreign page can send without preflight.
      csrfPreventionPlugin(),
      validationErrorCodesPlugin(),
      // Catalyst introspects at build time through the front door, as BigCommerce lets it.
      ...operationLimitPlugins(config.limits, { introspectionAllowed: (request) => frontDoor?.requestOf(request) !== undefined }),
      ...(customerTokens ? [frontDoorShopperMutationsPlugin({ loginThrottle, customerTokens })] : []),
      storefrontPassthroughPlugin({
        executor: upstreams.storefront,
        gatewayFields: () => schemaManager.current().gatewayFields,
        frontDoorFields: () => schemaManager.current().frontDoorFields,
      }) as Plugin,
      responseCache.plugin as Plugin,
      setCookies,
      readiness.plugin,
    ],
  });
  // Idempotent: every caller that owns a reference may close it.
  let closed: Promise<void> | undefined;
  return {
    yoga,
    get schema() {
      return schemaManager.current().schema;
    },
    config,
    cacheInvalidator,
    drain: readiness.drain,
    reloadSchema: () => schemaManager.reload(),
    close: () => (closed ??= (async () => {
      schemaManager.close();
      await webhooks.idle();
      await upstreams.close();
      if (!deps.stores) await stores.close();
    })()),
  };
}
