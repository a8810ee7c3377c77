import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stitchSchemas } from '@graphql-tools/stitch';
import type { Executor } from '@graphql-tools/utils';
import { FilterRootFields } from '@graphql-tools/wrap';
import { parse, type GraphQLSchema } from 'graphql';
import { createYoga, useReadinessCheck, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import pino, { type Logger } from 'pino';
import type { GatewayConfig } from './config';
import { createContextFactory, type GatewayContext } from './context';
import { maskError } from './error-masking';
import { createSessionRevocations, createSessionTokens, deriveSessionKey } from './auth/session-token';
import { createRestClient } from './remote/rest-client';
import { createStorefrontExecutor, loadStorefrontSchema, type StorefrontSubschema } from './remote/storefront';
import type { FetchFn } from './remote/upstream-fetch';
import { createResolvers } from './resolvers';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql-examples';

export interface GatewayDeps {
  fetch?: FetchFn;
  now?: () => number;
  logger?: Logger;
  /** Skip introspection (tests that already hold the schema). */
  storefrontSchema?: GraphQLSchema;
}

type ServerContext = { req: IncomingMessage; res: ServerResponse };

export interface Gateway {
  yoga: YogaServerInstance<ServerContext, GatewayContext>;
  schema: GraphQLSchema;
  config: GatewayConfig;
}

/** Storefront root fields the gateway answers itself (DESIGN.md "GraphQL surface"). */
const INTERCEPTED_MUTATIONS = new Set(['login', 'logout']);

function projectRoot(): string {
  let dir = __dirname;
  while (!readdirSync(dir).includes('package.json')) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

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
  const logger = deps.logger ?? pino({ level: config.logLevel });
  const { store } = config;

  const executor: Executor = createStorefrontExecutor({ store, fetch: fetchFn, timeoutMs: config.upstreamTimeoutMs });
  const remoteSchema = deps.storefrontSchema ?? (await loadStorefrontSchema({ executor, schemaFile: config.schemaFile }));
  const storefront: StorefrontSubschema = {
    schema: remoteSchema,
    executor,
    // Root fields of one request share one upstream request.
    batch: true,
    transforms: [new FilterRootFields((operation, fieldName) => !(operation === 'Mutation' && INTERCEPTED_MUTATIONS.has(fieldName)))],
  };
  const rest = createRestClient({
    apiUrl: store.apiUrl,
    storeHash: store.storeHash,
    accessToken: store.accessToken,
    fetch: fetchFn,
    timeoutMs: config.upstreamTimeoutMs,
  });
  const sessionTokens = createSessionTokens({ key: deriveSessionKey(config.session.secret), now, ttlSeconds: config.session.ttlSeconds });
  const revocations = createSessionRevocations(now);
  const cookie = { name: config.session.cookieName, secure: config.session.cookieSecure };

  const resolvers = createResolvers(
    {
      config,
      store,
      executor,
      rest,
      storefront,
      sessionTokens,
      revocations,
      cookie,
      now,
      log: (event, fields) => logger.info(fields, event),
    },
    remoteSchema,
  );

  const schema = stitchSchemas({
    subschemas: [storefront],
    typeDefs: gatewayTypeDefs(),
    resolvers,
  });

  const buildContext = createContextFactory({
    sessionTokens,
    revocations,
    cookieName: config.session.cookieName,
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
    schema,
    context: async ({ request, req }) => {
      const context = await buildContext(request, req?.socket?.remoteAddress);
      responseCookies.set(request, context.responseCookies);
      return context;
    },
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: { title: 'Storefront gateway', defaultQuery: GRAPHIQL_DEFAULT_QUERY },
    maskedErrors: { maskError },
    logging: {
      debug: (...args: unknown[]) => logger.debug({ args }, 'yoga'),
      info: (...args: unknown[]) => logger.info({ args }, 'yoga'),
      warn: (...args: unknown[]) => logger.warn({ args }, 'yoga'),
      error: (...args: unknown[]) => logger.error({ args }, 'yoga'),
    },
    plugins: [
      setCookies,
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          const result = await (executor({ document: READY_PROBE, context: undefined }) as Promise<{ data?: unknown }>).catch(() => ({ data: undefined }));
          return Boolean(result.data);
        },
      }),
    ],
  });
  return { yoga, schema, config };
}

const READY_PROBE = parse('query GatewayReadiness { __typename }');
