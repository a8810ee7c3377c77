import { gatewayError } from '../errors';
import type { UpstreamOutcome } from './upstream-fetch';

export interface UpstreamGraphQLError {
  message: string;
  path?: unknown;
  extensions?: unknown;
}

export interface StorefrontResponseBody {
  data?: Record<string, unknown> | null;
  errors?: UpstreamGraphQLError[];
  extensions?: unknown;
}

/** A storefront answer the gateway cannot use, with the metrics outcome it counts as. */
export class StorefrontResponseError extends Error {
  constructor(
    readonly outcome: UpstreamOutcome,
    readonly clientError: ReturnType<typeof gatewayError>,
  ) {
    super(clientError.message);
  }
}

function retryAfter(resetMsHeader: string | undefined): number | undefined {
  const resetMs = Number(resetMsHeader);
  return Number.isFinite(resetMs) && resetMs > 0 ? resetMs : undefined;
}

/**
 * Checks a Storefront GraphQL HTTP answer — the one rule set for both upstream paths — and returns its
 * parsed body. Failures become the gateway's codes with the gateway's own words: no upstream error page,
 * body or credential message reaches a client.
 */
export function checkStorefrontResponse(status: number, resetMsHeader: string | undefined, text: string): StorefrontResponseBody {
  const fail = (outcome: UpstreamOutcome, message: string, code: 'UPSTREAM_ERROR' | 'RATE_LIMITED' = 'UPSTREAM_ERROR', extra = {}) =>
    new StorefrontResponseError(outcome, gatewayError(code, message, extra));
  if (status === 429) {
    const wait = retryAfter(resetMsHeader);
    throw fail('rate_limited', 'Storefront API rate limit reached', 'RATE_LIMITED', wait === undefined ? {} : { retryAfterMs: wait });
  }
  if (status >= 500) throw fail('http_error', `Storefront API answered ${status}`);
  // 401/403 mean the gateway's own storefront credentials were refused: the shopper can do nothing about it.
  if (status === 401 || status === 403) throw fail('http_error', `Storefront API refused the gateway's credentials (${status})`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw fail('http_error', 'Storefront API returned a malformed response');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw fail('http_error', 'Storefront API returned a malformed response');
  const { data, errors, extensions } = body as Record<string, unknown>;
  if (errors !== undefined && !Array.isArray(errors)) throw fail('http_error', 'Storefront API returned a malformed response');
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    throw fail('http_error', 'Storefront API returned a malformed response');
  }
  const upstreamErrors = (errors ?? []) as Array<Record<string, unknown> | null>;
  if (!data && upstreamErrors.length === 0) throw fail('http_error', 'Storefront API returned no data');
  return {
    data: (data ?? null) as Record<string, unknown> | null,
    ...(upstreamErrors.length
      ? {
          errors: upstreamErrors.map((error) => ({
            message: typeof error?.message === 'string' ? error.message : 'Storefront API error',
            path: error?.path,
            extensions: error?.extensions,
          })),
        }
      : {}),
    ...(extensions === undefined ? {} : { extensions }),
  };
}
