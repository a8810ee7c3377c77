import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { GraphQLError, print, type DocumentNode } from 'graphql';
import { Agent, errors as undiciErrors, request as undiciRequest } from 'undici';
import type { StoreConfig } from '../config';
import type { GatewayContext } from '../context';
import { gatewayError } from '../errors';
import { checkStorefrontResponse, type UpstreamGraphQLError } from './storefront-response';
import { storefrontHeaders } from './storefront-headers';
import { retryAfterMs, type UpstreamObserver } from './upstream-fetch';

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

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Upstream errors become GraphQLErrors that keep message, path and `extensions.code` (clients match on them). */
function toGraphQLError(error: UpstreamGraphQLError): GraphQLError {
  const extensions = typeof error.extensions === 'object' && error.extensions !== null ? (error.extensions as Record<string, unknown>) : {};
  const path = Array.isArray(error.path) ? (error.path as Array<string | number>) : undefined;
  return new GraphQLError(error.message, { path, extensions });
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
    const signal = AbortSignal.timeout(deps.timeoutMs);
    let answer: { status: number; headers: Record<string, string | string[] | undefined>; text: string };
    try {
      const response = await undiciRequest(url, { method: 'POST', headers, body, dispatcher: agent, signal });
      answer = { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    } catch (error) {
      const timedOut = signal.aborted || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError;
      deps.observe?.('storefront', timedOut ? 'timeout' : 'unreachable', now() - started);
      throw timedOut
        ? gatewayError('UPSTREAM_TIMEOUT', `Storefront API did not answer within ${deps.timeoutMs} ms`)
        : gatewayError('UPSTREAM_ERROR', 'Storefront API is unreachable');
    }
    const { text } = answer;
    const json = checkStorefrontResponse(
      { status: answer.status, retryAfterMs: retryAfterMs((name) => headerValue(answer.headers[name])), text },
      (outcome) => deps.observe?.('storefront', outcome, now() - started),
    );
    if (json.errors === undefined && json.extensions === undefined && json.data) {
      // Nothing to mask or drop: yoga sends the upstream's own bytes instead of serialising the same data again.
      const passthrough: ExecutionResult & { stringify: () => string } = { data: json.data, stringify: () => text };
      return passthrough;
    }
    const result: ExecutionResult = { data: json.data };
    if (json.errors) result.errors = json.errors.map(toGraphQLError);
    return result;
  }

  return { executor: execute as Executor, close: () => agent.close() };
}
