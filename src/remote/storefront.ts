import { readFile } from 'node:fs/promises';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import type { Executor } from '@graphql-tools/utils';
import { schemaFromExecutor } from '@graphql-tools/wrap';
import { buildClientSchema, buildSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import type { GatewayContext } from '../context';

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
