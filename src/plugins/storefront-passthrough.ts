import type { Executor } from '@graphql-tools/utils';
import {
  getOperationAST,
  getVariableValues,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context';
import { documentMemo } from './document-memo';

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

/**
 * `Type.field` coordinates the gateway answers itself: every field of its own SDL plus every field with a
 * gateway resolver (including guards on storefront types, such as blanked customer access tokens).
 */
export function gatewayFieldCoordinates(typeDefs: string[], resolverMaps: Array<Record<string, unknown>>, parse: (sdl: string) => DocumentNode): Set<string> {
  const coordinates = new Set<string>();
  for (const sdl of typeDefs) {
    for (const definition of parse(sdl).definitions) {
      if (
        (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) &&
        definition.fields
      ) {
        for (const field of definition.fields) coordinates.add(`${definition.name.value}.${field.name.value}`);
      }
    }
  }
  for (const map of resolverMaps) {
    for (const [typeName, fields] of Object.entries(map)) {
      if (typeof fields === 'object' && fields !== null) for (const fieldName of Object.keys(fields)) coordinates.add(`${typeName}.${fieldName}`);
    }
  }
  return coordinates;
}

/** True when an operation selects only storefront fields (no gateway field, no introspection) anywhere. */
export function isStorefrontOnly(schema: GraphQLSchema, document: DocumentNode, gatewayFields: Set<string>): boolean {
  const typeInfo = new TypeInfo(schema);
  let storefrontOnly = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (INTROSPECTION_FIELDS.has(node.name.value) || (parent && gatewayFields.has(`${parent.name}.${node.name.value}`))) {
          storefrontOnly = false;
        }
      },
    }),
  );
  return storefrontOnly;
}

/**
 * The fast path: an operation that touches only Storefront API fields — already parsed and validated
 * against the served schema by yoga — is forwarded as one upstream request, unchanged, instead of being
 * planned and re-assembled by the stitching layer. The verdict is computed once per document and schema
 * (`gatewayFields` is read then: it changes with the schema). Identity is unaffected: the executor
 * builds upstream headers from the verified context as always.
 */
export function storefrontPassthroughPlugin(deps: {
  executor: Executor;
  gatewayFields: () => Set<string>;
  /** The fields that are the gateway's on the front door (its additions only: login and logout are BigCommerce's there). */
  frontDoorFields: () => Set<string>;
}): Plugin<GatewayContext> {
  const verdict = documentMemo((schema, document) => isStorefrontOnly(schema, document, deps.gatewayFields()));
  const frontDoorVerdict = documentMemo((schema, document) => isStorefrontOnly(schema, document, deps.frontDoorFields()));
  return {
    onExecute({ args, setExecuteFn }) {
      const forwarded = (args.contextValue as GatewayContext).frontDoor ? frontDoorVerdict : verdict;
      if (!forwarded(args.schema, args.document)) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || operation.operation === 'subscription') return;
      setExecuteFn(async (execution: ExecutionArgs): Promise<ExecutionResult> => {
        // Variables are coerced here, as graphql-js does on the stitched path: the upstream gets the same
        // values either way, and invalid ones are refused before any upstream call.
        let variables: Record<string, unknown> = {};
        if (operation.variableDefinitions?.length) {
          const coerced = getVariableValues(execution.schema, operation.variableDefinitions, (execution.variableValues ?? {}) as Record<string, unknown>, {
            maxErrors: 25,
          });
          if (coerced.errors) return { errors: coerced.errors };
          variables = coerced.coerced;
        }
        const result = (await deps.executor({
          document: execution.document,
          variables,
          operationName: execution.operationName ?? undefined,
          operationType: operation.operation,
          context: execution.contextValue as GatewayContext,
        })) as ExecutionResult;
        // Execution began: a failed upstream call is a field-level failure with `data: null`, as when stitched.
        return 'data' in result ? result : { ...result, data: null };
      });
    },
  };
}
