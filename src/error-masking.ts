import { GraphQLError } from 'graphql';
import { INTERNAL_ERROR_CODE } from './errors';

/** Extensions that may reach a client; anything else (HTTP details, upstream internals) is dropped. */
const PUBLIC_EXTENSIONS = new Set(['code', 'http', 'reason', 'retryAfterMs', 'requiredScopes', 'complexity', 'maxComplexity']);

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError;
}

/**
 * Yoga `maskError`: errors the gateway raised on purpose and upstream GraphQL errors keep their
 * message and code; anything unexpected becomes a generic error that leaks nothing.
 */
export function maskError(error: unknown, message: string): Error {
  if (isGraphQLError(error) && (!error.originalError || isGraphQLError(error.originalError))) {
    const extensions = Object.fromEntries(Object.entries(error.extensions ?? {}).filter(([key]) => PUBLIC_EXTENSIONS.has(key)));
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions,
    });
  }
  return new GraphQLError(message, {
    path: isGraphQLError(error) ? error.path : undefined,
    nodes: isGraphQLError(error) ? error.nodes : undefined,
    extensions: { code: INTERNAL_ERROR_CODE },
  });
}
