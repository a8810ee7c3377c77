import { readFile } from 'node:fs/promises';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { Executor } from '@graphql-tools/utils';
import { schemaFromExecutor } from '@graphql-tools/wrap';
import { buildClientSchema, buildSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import type { StoreConfig } from '../config';
import type { GatewayContext } from '../context';
import { gatewayError } from '../errors';
import { withResilience, type CircuitBreaker } from './resilient-executor';
import { checkStorefrontResponse, StorefrontResponseError, type StorefrontResponseBody } from './storefront-response';
import { storefrontHeaders } from './storefront-headers';
import { createUpstreamFetch, type FetchFn, type UpstreamCaller, type UpstreamObserver } from './upstream-fetch';

export interface StorefrontExecutorDeps {
  store: StoreConfig;
  fetch: FetchFn;
  timeoutMs: number;
  observe?: UpstreamObserver;
  now?: () => number;
}

function isCaller(value: unknown): value is UpstreamCaller {
  return typeof value === 'object' && value !== null && 'tally' in value && 'correlationId' in value;
}

/** The stitching path's executor: @graphql-tools/executor-http (batched by stitching), with gateway error codes. */
export function createStorefrontExecutor(deps: StorefrontExecutorDeps): Executor {
  const now = deps.now ?? Date.now;
  // Transport failures are observed by upstreamFetch; answers only once checked, below.
  const upstreamFetch = createUpstreamFetch({
    fetch: deps.fetch,
    timeoutMs: deps.timeoutMs,
    upstream: 'storefront',
    observe: (upstream, outcome, ms) => (outcome === 'timeout' || outcome === 'unreachable') && deps.observe?.(upstream, outcome, ms),
    now,
  });
  // Every answer passes the same checks as on the pass-through path (storefront-response.ts), so no upstream
  // error page, body or credential message reaches a client; executor-http then reads the checked body.
  const storefrontFetch = async (url: string, init?: RequestInit, context?: unknown): Promise<Response> => {
    const started = now();
    const response = await upstreamFetch(url, init, isCaller(context) ? context : undefined);
    let body: StorefrontResponseBody;
    try {
      body = checkStorefrontResponse(response.status, response.headers.get('x-rate-limit-time-reset-ms') ?? undefined, await response.text());
    } catch (error) {
      if (error instanceof StorefrontResponseError) {
        deps.observe?.('storefront', error.outcome, now() - started);
        throw error.clientError;
      }
      throw gatewayError('UPSTREAM_ERROR', 'Storefront API response could not be read');
    }
    deps.observe?.('storefront', 'ok', now() - started);
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return buildHTTPExecutor({
    endpoint: deps.store.storefrontUrl,
    fetch: storefrontFetch,
    headers: (request) => storefrontHeaders(deps.store, request?.context as GatewayContext | undefined),
    // Identical requests of different shoppers carry different headers; deduplication buys nothing here.
    deduplicateInflightRequests: false,
  }) as Executor;
}

/** Retries and the circuit breaker, shared by every executor that reaches the storefront. */
export function storefrontResilience(options: { retries: number; breaker: CircuitBreaker; sleep?: (ms: number) => Promise<void> }) {
  return (executor: Executor): Executor =>
    withResilience(executor, {
      retries: options.retries,
      backoffMs: 100,
      breaker: options.breaker,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    });
}

/** The Storefront schema: from `BC_SCHEMA_FILE` (SDL or introspection JSON) or introspected from the upstream. */
export async function loadStorefrontSchema(deps: { executor: Executor; schemaFile?: string }): Promise<GraphQLSchema> {
  if (deps.schemaFile) {
    const text = await readFile(deps.schemaFile, 'utf8');
    if (text.trimStart().startsWith('{')) {
      const json = JSON.parse(text) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
      return buildClientSchema(json.data ?? (json as IntrospectionQuery));
    }
    return buildSchema(text);
  }
  // Deprecated arguments too: a real store still accepts them, and clients may send them.
  const schema = await (schemaFromExecutor(deps.executor, undefined, { inputValueDeprecation: true }) as Promise<GraphQLSchema>);
  return schema;
}

/** The storefront as a stitching subschema, typed with the gateway's request context. */
export type StorefrontSubschema = SubschemaConfig<unknown, unknown, unknown, GatewayContext>;
