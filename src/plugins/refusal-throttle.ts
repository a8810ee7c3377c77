import type { Plugin } from 'graphql-yoga';
import { limitKeyOf, type ClientAddressResolver } from '../http/client-address';
import { createMemoryCounterStore } from '../state/memory';

/** Refusals by the gateway's own limits: documents built to cost work (see operation-limits.ts). */
const LIMIT_REASONS = new Set(['MAX_SELECTIONS', 'MAX_DEPTH', 'MAX_ALIASES', 'MAX_VARIABLES_DEPTH']);
const TOKEN_LIMIT = /token limit/i;

interface ErrorLike {
  message?: unknown;
  extensions?: { reason?: unknown };
}

function refusedByLimits(result: unknown): boolean {
  const results = Array.isArray(result) ? result : [result];
  return results.some((item) =>
    ((item as { errors?: ErrorLike[] } | null)?.errors ?? []).some(
      (error) =>
        LIMIT_REASONS.has(String(error.extensions?.reason)) ||
        (error.extensions?.reason === 'GRAPHQL_PARSE_FAILED' && typeof error.message === 'string' && TOKEN_LIMIT.test(error.message)),
    ),
  );
}

/**
 * A client whose documents the limits keep refusing is sending work, not queries: past `maxPerMinute` such
 * refusals its requests are answered RATE_LIMITED before their body is read or parsed — a refused document
 * still costs its parse (bounded by the token limit, milliseconds each), and a stream of new ones would
 * otherwise hold the event loop for everyone. Counted per instance (it protects this process's CPU), in a
 * bounded in-memory store, by the same client address as every other limit. Trusted servers are exempt, as from
 * the REST budget.
 */
export function refusalThrottlePlugin(deps: {
  maxPerMinute: number;
  clientAddress: ClientAddressResolver;
  graphqlEndpoint: string;
  now: () => number;
  /** Trusted servers (an SSR tier) speak for many shoppers from one address: never throttled as one client. */
  isTrustedServer: (request: Request) => boolean;
}): Plugin {
  const refusals = createMemoryCounterStore(deps.now);
  const clients = new WeakMap<Request, string>();
  const key = (ip: string) => `refused:${limitKeyOf(ip)}`;
  return {
    async onRequest({ request, serverContext, url, endResponse, fetchAPI }) {
      if (url.pathname !== deps.graphqlEndpoint || deps.isTrustedServer(request)) return;
      const socket = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req?.socket;
      const ip = deps.clientAddress(socket?.remoteAddress, request.headers.get('x-forwarded-for'));
      clients.set(request, ip);
      const window = await refusals.peek(key(ip));
      if (!window || window.count < deps.maxPerMinute) return;
      const body = JSON.stringify({
        errors: [
          {
            message: 'Too many refused documents from this client; try again later',
            extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_REFUSED', retryAfterMs: Math.max(0, window.resetAt - deps.now()) },
          },
        ],
      });
      endResponse(new fetchAPI.Response(body, { status: 429, headers: { 'content-type': 'application/json; charset=utf-8' } }));
    },
    async onResultProcess({ request, result }) {
      const ip = clients.get(request);
      if (ip !== undefined && refusedByLimits(result)) await refusals.increment(key(ip), 60_000);
    },
  };
}
