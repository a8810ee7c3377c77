import { GraphQLError } from 'graphql';

/** The closed set of `extensions.code` values clients may match on (README, "Errors"). */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'UPSTREAM_TIMEOUT',
  /** Shared state (Redis) unreachable: what depends on it fails closed, and a client should retry, not log out. */
  'UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Code given to anything unexpected after masking; never carries detail. */
export const INTERNAL_ERROR_CODE = 'INTERNAL_SERVER_ERROR';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  UNAVAILABLE: 503,
};

/**
 * A client-facing error. `httpStatus` is only set for errors that fail the whole request
 * (an invalid session must not look like a guest request that happened to return nothing).
 */
export function gatewayError(
  code: ErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
  options: { httpStatus?: boolean } = {},
): GraphQLError {
  const status = HTTP_STATUS[code];
  return new GraphQLError(message, {
    extensions: {
      code,
      ...extra,
      ...(options.httpStatus && status ? { http: { status } } : {}),
    },
  });
}
