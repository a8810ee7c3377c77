import { gatewayError } from '../errors';
import { UpstreamFailure, type UpstreamOutcome } from './upstream-failure';

export interface UpstreamGraphQLError {
  message: string;
  path?: unknown;
  extensions?: unknown;
}

export interface StorefrontResponseBody {
  data: Record<string, unknown> | null;
  errors?: UpstreamGraphQLError[];
  extensions?: unknown;
}

export interface StorefrontAnswer {
  status: number;
  /** From BigCommerce's rate-limit headers (see `retryAfterMs`). */
  retryAfterMs: number | undefined;
  text: string;
}

/**
 * Checks a Storefront GraphQL HTTP answer — the one rule set for both upstream paths — reports its
 * outcome, and returns its parsed body. Failures become the gateway's codes in the gateway's own words:
 * no upstream error page, body or credential message reaches a client.
 */
export function checkStorefrontResponse(answer: StorefrontAnswer, observe: (outcome: UpstreamOutcome) => void): StorefrontResponseBody {
  const fail = <E extends Error>(outcome: UpstreamOutcome, error: E): E => {
    observe(outcome);
    return error;
  };
  const malformed = () => fail('http_error', gatewayError('UPSTREAM_ERROR', 'Storefront API returned a malformed response'));
  const { status, text } = answer;
  if (status === 429) {
    throw fail('rate_limited', new UpstreamFailure('rate_limited', 'RATE_LIMITED', 'Storefront API rate limit reached', answer.retryAfterMs));
  }
  if (status >= 500) throw fail('http_error', new UpstreamFailure('http_error', 'UPSTREAM_ERROR', `Storefront API answered ${status}`));
  // 401/403 mean the gateway's own storefront credentials were refused: the shopper can do nothing about it.
  if (status === 401 || status === 403) {
    throw fail('http_error', gatewayError('UPSTREAM_ERROR', `Storefront API refused the gateway's credentials (${status})`));
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw malformed();
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed();
  const { data, errors, extensions } = body as Record<string, unknown>;
  if (errors !== undefined && !Array.isArray(errors)) throw malformed();
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) throw malformed();
  const upstreamErrors = (errors ?? []) as Array<Record<string, unknown> | null>;
  if (!data && upstreamErrors.length === 0) throw fail('http_error', gatewayError('UPSTREAM_ERROR', 'Storefront API returned no data'));
  observe('ok');
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
