import { readFile } from 'node:fs/promises';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { Executor } from '@graphql-tools/utils';
import { schemaFromExecutor } from '@graphql-tools/wrap';
import { buildClientSchema, buildSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import type { StoreConfig } from '../config';
import type { GatewayContext } from '../context';
import { storefrontHeaders } from './storefront-headers';
import { createUpstreamFetch, type FetchFn } from './upstream-fetch';

export function createStorefrontExecutor(deps: { store: StoreConfig; fetch: FetchFn; timeoutMs: number }): Executor {
  const upstreamFetch = createUpstreamFetch({ fetch: deps.fetch, timeoutMs: deps.timeoutMs, name: 'Storefront API' });
  return buildHTTPExecutor({
    endpoint: deps.store.storefrontUrl,
    fetch: upstreamFetch,
    headers: (request) => storefrontHeaders(deps.store, request?.context as GatewayContext | undefined),
    // Identical requests of different shoppers carry different headers; deduplication buys nothing here.
    deduplicateInflightRequests: false,
  }) as Executor;
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
  return schemaFromExecutor(deps.executor) as Promise<GraphQLSchema>;
}

/** The storefront as a stitching subschema, typed with the gateway's request context. */
export type StorefrontSubschema = SubschemaConfig<unknown, unknown, unknown, GatewayContext>;
