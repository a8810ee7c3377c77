import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitKeyOf, type ClientAddressResolver } from '../http/client-address';
import { createWindowCounter } from '../http/window-counter';
import { isAsyncIterable, isClientRequestError } from '../error-masking';

/** Clients whose refusals are counted at once; beyond this the least recently refused are forgotten. */
const MAX_CLIENTS = 100_000;
const WINDOW_MS = 60_000;

/**
 * A refused document: answered with the client's error and no `data`, i.e. never executed — refused while
 * parsing, by the gateway's limits, by validation, or while coercing its variables.
 */
function isRefusedResult(result: unknown): boolean {
  if (typeof result !== 'object' || result === null || isAsyncIterable(result)) return false;
  const { data, errors } = result as ExecutionResult;
  return data === undefined && (errors ?? []).some(isClientRequestError);
}

function tooManyRefused(retryAfterMs: number): GraphQLError {
  return new GraphQLError('Too many refused documents from this client; try again later', {
    extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_REFUSED', retryAfterMs, http: { status: 429 } },
  });
}

/**
 * A client whose documents keep being refused is sending work, not queries: every refused document costs its
 * parse and usually its validation (bounded by the limits, still milliseconds each). Each document counts — every
 * one of a batch, whatever refused it — and past `maxPerMinute` the client's documents are refused unparsed, later
 * requests before their body is read. Counted per instance (it protects this process's
 * CPU), in memory, by the same client address as every other limit. Trusted servers are exempt, as from the REST
 * budget.
 */
export function refusalThrottlePlugin(deps: {
  maxPerMinute: number;
  clientAddress: ClientAddressResolver;
  graphqlEndpoint: string;
  now: () => number;
  /** Trusted servers (an SSR tier) speak for many shoppers from one address: never throttled as one client. */
  isTrustedServer: (request: Request) => boolean;
}): Plugin {
  const refusals = createWindowCounter({ windowMs: WINDOW_MS, maxKeys: MAX_CLIENTS, now: deps.now });
  const clients = new WeakMap<Request, string>();
  const retryAfter = (key: string): number | undefined => {
    const window = refusals.peek(key);
    return window && window.count >= deps.maxPerMinute ? Math.max(0, window.resetAt - deps.now()) : undefined;
  };
  return {
    onRequest({ request, serverContext, url, endResponse, fetchAPI }) {
      if (url.pathname !== deps.graphqlEndpoint || deps.isTrustedServer(request)) return;
      const socket = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req?.socket;
      const key = limitKeyOf(deps.clientAddress(socket?.remoteAddress, request.headers.get('x-forwarded-for')));
      clients.set(request, key);
      const retryAfterMs = retryAfter(key);
      if (retryAfterMs === undefined) return;
      const { message, extensions } = tooManyRefused(retryAfterMs);
      const body = JSON.stringify({ errors: [{ message, extensions: { ...extensions, http: undefined } }] });
      endResponse(new fetchAPI.Response(body, { status: 429, headers: { 'content-type': 'application/json; charset=utf-8' } }));
    },
    onParams({ request, setResult }) {
      // Each document of a batch: a client over the limit gets no further document parsed.
      const key = clients.get(request);
      const retryAfterMs = key === undefined ? undefined : retryAfter(key);
      if (retryAfterMs !== undefined) setResult({ errors: [tooManyRefused(retryAfterMs)] });
    },
    // Every refusal ends here as one result per document, whether thrown (parse, variables) or returned (validation).
    onResultProcess({ request, result }) {
      const key = clients.get(request);
      if (key === undefined) return;
      for (const item of Array.isArray(result) ? result : [result]) if (isRefusedResult(item)) refusals.hit(key);
    },
  };
}
