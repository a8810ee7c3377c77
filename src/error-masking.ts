import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { INTERNAL_ERROR_CODE, type ErrorCode } from './errors';

/**
 * GraphQL-over-HTTP errors raised by yoga itself (unparseable bodies, syntax and validation errors) are
 * the client's: they map into the gateway's closed set as BAD_USER_INPUT, keeping yoga's code as `reason`.
 */
const REQUEST_ERROR_CODES: Record<string, ErrorCode> = {
  BAD_REQUEST: 'BAD_USER_INPUT',
  GRAPHQL_PARSE_FAILED: 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
};

/** graphql-js reports invalid variable values without a code (on either upstream path). */
const VARIABLE_ERROR = /^Variable "\$[_A-Za-z][_0-9A-Za-z]*" /;

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
    const entries = Object.entries(error.extensions ?? {});
    if (error.extensions?.code === undefined && VARIABLE_ERROR.test(error.message)) {
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: { code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' },
      });
    }
    const mapped = typeof error.extensions?.code === 'string' ? REQUEST_ERROR_CODES[error.extensions.code] : undefined;
    // Unchanged errors are returned as they are: yoga logs every error that masking replaced.
    if (!mapped && entries.every(([key]) => PUBLIC_EXTENSIONS.has(key))) return error;
    const extensions = Object.fromEntries(entries.filter(([key]) => PUBLIC_EXTENSIONS.has(key)));
    if (mapped) {
      extensions.reason = extensions.code;
      extensions.code = mapped;
    }
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

/**
 * Validation errors bypass `maskError` in yoga: this maps them into the closed set the same way
 * (BAD_USER_INPUT, with yoga's code as `reason`).
 */
export function validationErrorCodesPlugin(): Plugin {
  return {
    onValidate() {
      return ({ valid, result }) => {
        if (valid) return;
        for (const error of result) {
          const extensions = error.extensions as Record<string, unknown>;
          const code = typeof extensions.code === 'string' ? extensions.code : 'GRAPHQL_VALIDATION_FAILED';
          if (extensions.code !== undefined && !REQUEST_ERROR_CODES[code]) continue;
          extensions.reason ??= code;
          extensions.code = 'BAD_USER_INPUT';
        }
      };
    },
  };
}
