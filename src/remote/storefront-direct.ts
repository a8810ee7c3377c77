import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { GraphQLError, print, type DocumentNode } from 'graphql';
import { Agent, errors as undiciErrors, request as undiciRequest } from 'undici';
import type { StoreConfig } from '../config';
import type { GatewayContext } from '../context';
import { gatewayError } from '../errors';
import { storefrontHeaders } from './storefront-headers';
import type { UpstreamObserver } from './upstream-fetch';

interface UpstreamError {
  message?: unknown;
  path?: unknown;
  extensions?: unknown;
}

const printed = new WeakMap<DocumentNode, string>();

/** A document is printed once, however many requests send it. */
export function printCached(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

function retryAfterMs(headers: Record<string, string | string[] | undefined>): number | undefined {
  const resetMs = Number(headers['x-rate-limit-time-reset-ms']);
  return Number.isFinite(resetMs) && resetMs > 0 ? resetMs : undefined;
}

/** Upstream errors become GraphQLErrors that keep message, path and `extensions.code` (clients match on them). */
function toGraphQLError(error: UpstreamError): GraphQLError {
  const extensions = typeof error.extensions === 'object' && error.extensions !== null ? (error.extensions as Record<string, unknown>) : {};
  const path = Array.isArray(error.path) ? (error.path as Array<string | number>) : undefined;
  return new GraphQLError(typeof error.message === 'string' ? error.message : 'Storefront API error', {
    path,
    extensions: typeof extensions.code === 'string' ? { ...extensions, code: extensions.code } : extensions,
  });
}

/**
 * A lean Storefront GraphQL client on undici's keep-alive connection pool, for operations forwarded
 * unchanged (see plugins/storefront-passthrough.ts): no WHATWG streams, no per-request print. Headers
 * are built exactly as for stitched requests: server credentials plus the verified shopper.
 */
export function createDirectStorefrontExecutor(deps: {
  store: StoreConfig;
  timeoutMs: number;
  observe?: UpstreamObserver;
  now?: () => number;
}): { executor: Executor; close: () => Promise<void> } {
  const now = deps.now ?? Date.now;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128, headersTimeout: deps.timeoutMs, bodyTimeout: deps.timeoutMs });
  const url = deps.store.storefrontUrl;

  async function execute(request: ExecutionRequest): Promise<ExecutionResult> {
    const context = request.context as GatewayContext | undefined;
    const headers = storefrontHeaders(deps.store, context);
    headers['content-type'] = 'application/json';
    const body = JSON.stringify({ query: printCached(request.document), variables: request.variables ?? {}, operationName: request.operationName });
    const started = now();
    if (context?.tally) context.tally.upstreamCalls += 1;
    let response;
    try {
      response = await undiciRequest(url, { method: 'POST', headers, body, dispatcher: agent });
    } catch (error) {
      const timedOut = error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError;
      deps.observe?.('storefront', timedOut ? 'timeout' : 'unreachable', now() - started);
      throw timedOut
        ? gatewayError('UPSTREAM_TIMEOUT', `Storefront API did not answer within ${deps.timeoutMs} ms`)
        : gatewayError('UPSTREAM_ERROR', 'Storefront API is unreachable');
    }
    const { statusCode } = response;
    if (statusCode === 429 || statusCode >= 500) {
      await response.body.dump();
      deps.observe?.('storefront', statusCode === 429 ? 'rate_limited' : 'http_error', now() - started);
      if (statusCode === 429) {
        const wait = retryAfterMs(response.headers);
        throw gatewayError('RATE_LIMITED', 'Storefront API rate limit reached', wait === undefined ? {} : { retryAfterMs: wait });
      }
      throw gatewayError('UPSTREAM_ERROR', `Storefront API answered ${statusCode}`);
    }
    let text: string;
    let json: { data?: Record<string, unknown> | null; errors?: UpstreamError[]; extensions?: unknown };
    try {
      text = await response.body.text();
      json = JSON.parse(text) as typeof json;
    } catch (error) {
      if (error instanceof undiciErrors.BodyTimeoutError) {
        deps.observe?.('storefront', 'timeout', now() - started);
        throw gatewayError('UPSTREAM_TIMEOUT', `Storefront API did not answer within ${deps.timeoutMs} ms`);
      }
      deps.observe?.('storefront', 'http_error', now() - started);
      throw gatewayError('UPSTREAM_ERROR', 'Storefront API returned a malformed response');
    }
    deps.observe?.('storefront', 'ok', now() - started);
    if (json.errors === undefined && json.extensions === undefined && json.data) {
      // Nothing to mask or drop: yoga sends the upstream's own bytes instead of serialising the same data again.
      const passthrough: ExecutionResult & { stringify: () => string } = { data: json.data, stringify: () => text };
      return passthrough;
    }
    const result: ExecutionResult = { data: json.data ?? null };
    if (Array.isArray(json.errors) && json.errors.length > 0) result.errors = json.errors.map(toGraphQLError);
    return result;
  }

  return { executor: execute as Executor, close: () => agent.close() };
}
