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
const PUBLIC_EXTENSIONS = new Set(['code', 'http', 'reason', 'retryAfterMs', 'requiredScopes']);

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError;
}

/**
 * The code a client-caused request error carries in the closed set, for yoga's own code (or a graphql-js
 * variable error, which has none); undefined when the error is not one of those.
 */
function requestErrorCode(code: unknown, message: string): string | undefined {
  const original = code ?? (VARIABLE_ERROR.test(message) ? 'GRAPHQL_VALIDATION_FAILED' : undefined);
  return typeof original === 'string' && REQUEST_ERROR_CODES[original] ? original : undefined;
}

/**
 * Yoga `maskError`: errors the gateway raised on purpose and upstream GraphQL errors keep their
 * message and code; anything unexpected becomes a generic error that leaks nothing.
 */
export function maskError(error: unknown, message: string): Error {
  if (isGraphQLError(error) && (!error.originalError || isGraphQLError(error.originalError))) {
    const entries = Object.entries(error.extensions ?? {});
    const reason = requestErrorCode(error.extensions?.code, error.message);
    // Unchanged errors are returned as they are: yoga logs every error that masking replaced.
    if (!reason && entries.every(([key]) => PUBLIC_EXTENSIONS.has(key))) return error;
    const extensions = Object.fromEntries(entries.filter(([key]) => PUBLIC_EXTENSIONS.has(key)));
    if (reason) Object.assign(extensions, { code: REQUEST_ERROR_CODES[reason], reason });
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
 * (BAD_USER_INPUT, with yoga's code as `reason`). Validation errors without a code are yoga's too.
 */
export function validationErrorCodesPlugin(): Plugin {
  return {
    onValidate() {
      return ({ valid, result }) => {
        if (valid) return;
        for (const error of result) {
          const extensions = error.extensions as Record<string, unknown>;
          const reason = requestErrorCode(extensions.code ?? 'GRAPHQL_VALIDATION_FAILED', error.message);
          if (!reason) continue;
          Object.assign(extensions, { code: REQUEST_ERROR_CODES[reason], reason: extensions.reason ?? reason });
        }
      };
    },
  };
}
