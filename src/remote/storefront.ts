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
import { checkStorefrontResponse } from './storefront-response';
import { storefrontHeaders } from './storefront-headers';
import { createUpstreamFetch, retryAfterMs, type FetchFn, type UpstreamCaller, type UpstreamObserver } from './upstream-fetch';

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
  const upstreamFetch = createUpstreamFetch({ fetch: deps.fetch, timeoutMs: deps.timeoutMs, upstream: 'storefront', observe: deps.observe, now });
  // Every answer passes the same checks as on the pass-through path (storefront-response.ts); executor-http
  // then reads the answer, rewritten only when the checks changed something (upstream errors normalised).
  const storefrontFetch = async (url: string, init?: RequestInit, context?: unknown): Promise<Response> => {
    const started = now();
    const response = await upstreamFetch(url, init, isCaller(context) ? context : undefined);
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw gatewayError('UPSTREAM_ERROR', 'Storefront API response could not be read');
    }
    const body = checkStorefrontResponse(
      { status: response.status, retryAfterMs: retryAfterMs((name) => response.headers.get(name)), text },
      (outcome) => deps.observe?.('storefront', outcome, now() - started),
    );
    const checked = body.errors === undefined ? text : JSON.stringify(body);
    return new Response(checked, { status: 200, headers: { 'content-type': 'application/json' } });
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
  return schemaFromExecutor(deps.executor, undefined, { inputValueDeprecation: true }) as Promise<GraphQLSchema>;
}

/** The storefront as a stitching subschema, typed with the gateway's request context. */
export type StorefrontSubschema = SubschemaConfig<unknown, unknown, unknown, GatewayContext>;
