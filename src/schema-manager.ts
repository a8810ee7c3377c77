import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stitchSchemas } from '@graphql-tools/stitch';
import type { Executor, IResolvers } from '@graphql-tools/utils';
import { FilterRootFields } from '@graphql-tools/wrap';
import { isInterfaceType, isObjectType, parse, printSchema, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from './context';
import type { Logger } from 'pino';
import { gatewayFieldCoordinates } from './plugins/storefront-passthrough';
import { projectRoot } from './project-root';
import { customerAccessTokenGuards } from './resolvers';
import { loadStorefrontSchema, type StorefrontSubschema } from './remote/storefront';

/** Storefront root fields the gateway answers itself. */
const INTERCEPTED_MUTATIONS = new Set(['login', 'logout', 'loginWithCustomerLoginJwt']);

/** The gateway's own SDL: every file in schema/gateway/. */
export function gatewayTypeDefs(): string[] {
  const dir = join(projectRoot(), 'schema', 'gateway');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(dir, file), 'utf8'));
}

function hasField(schema: GraphQLSchema, coordinate: string): boolean {
  const [typeName, fieldName] = coordinate.split('.');
  const type = schema.getType(typeName);
  return (isObjectType(type) || isInterfaceType(type)) && fieldName in type.getFields();
}

export interface ServedSchema {
  schema: GraphQLSchema;
  /** The storefront as a stitching subschema (what delegating resolvers delegate to). */
  subschema: StorefrontSubschema;
  /** `Type.field` coordinates the gateway answers itself: they decide the fast path. */
  gatewayFields: Set<string>;
  /**
   * The gateway's additions only (fields BigCommerce's schema lacks): on the front door every field BigCommerce has
   * is BigCommerce's, login and logout included, so only these keep an operation off the pass-through path.
   */
  frontDoorFields: Set<string>;
}

export interface SchemaManager {
  current(): ServedSchema;
  /** Re-introspect now; keeps the current schema when that fails. Resolves true when the schema changed. */
  reload(): Promise<boolean>;
  close(): void;
}

/**
 * The served schema: the storefront's (introspected or from BC_SCHEMA_FILE) stitched with the gateway's own
 * SDL and resolvers, recomposed when a periodic re-introspection finds a change. Composition is pure: the
 * resolver maps and everything stateful behind them are built once, by the caller.
 */
export async function createSchemaManager(deps: {
  executor: Executor;
  schemaFile?: string;
  /** A schema already at hand (tests): no introspection, no refresh. */
  storefrontSchema?: GraphQLSchema;
  resolvers: Array<IResolvers<unknown, GatewayContext>>;
  refreshSeconds: number;
  logger: Logger;
}): Promise<SchemaManager> {
  const typeDefs = gatewayTypeDefs();

  function compose(remoteSchema: GraphQLSchema): ServedSchema {
    const subschema: StorefrontSubschema = {
      schema: remoteSchema,
      executor: deps.executor,
      // Root fields of one request share one upstream request.
      batch: true,
      transforms: [new FilterRootFields((operation, fieldName) => !(operation === 'Mutation' && INTERCEPTED_MUTATIONS.has(fieldName)))],
    };
    const resolvers: Array<IResolvers<unknown, GatewayContext>> = [...deps.resolvers, customerAccessTokenGuards(remoteSchema)];
    const gatewayFields = gatewayFieldCoordinates(typeDefs, resolvers, parse);
    return {
      schema: stitchSchemas({ subschemas: [subschema], typeDefs, resolvers }),
      subschema,
      gatewayFields,
      frontDoorFields: new Set([...gatewayFields].filter((coordinate) => !hasField(remoteSchema, coordinate))),
    };
  }

  const load = () => loadStorefrontSchema({ executor: deps.executor, schemaFile: deps.schemaFile });
  const initial = deps.storefrontSchema ?? (await load());
  let remoteSdl = printSchema(initial);
  let served = compose(initial);

  async function reload(): Promise<boolean> {
    try {
      const remoteSchema = await load();
      const sdl = printSchema(remoteSchema);
      if (sdl === remoteSdl) return false;
      served = compose(remoteSchema);
      remoteSdl = sdl;
      deps.logger.info({}, 'storefront schema changed: new schema in service');
      return true;
    } catch (error) {
      deps.logger.warn({ message: error instanceof Error ? error.message : String(error) }, 'storefront schema reload failed; keeping the last good schema');
      return false;
    }
  }
  const timer = deps.refreshSeconds > 0 && !deps.storefrontSchema ? setInterval(() => void reload(), deps.refreshSeconds * 1000) : undefined;
  timer?.unref();
  return { current: () => served, reload, close: () => clearInterval(timer) };
}
