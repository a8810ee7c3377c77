import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { GraphQLError, getOperationAST, print, type DocumentNode } from 'graphql';
import type { StoreConfig } from '../config';
import { gatewayError } from '../errors';
import type { HttpClient } from './http';
import type { Resilience } from './resilience';
import { checkStorefrontResponse, type UpstreamGraphQLError } from './storefront-response';
import { storefrontHeaders, type UpstreamIdentity } from './storefront-headers';
import { storefrontTargetFor, type StorefrontTarget } from './storefront-target';
import { UpstreamFailure, retryAfterMs, type UpstreamObserver } from './upstream-failure';
import { countUpstreamCall, upstreamDeadline, type UpstreamCaller } from './upstream-budget';

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

/**
 * Upstream errors become GraphQLErrors that keep message, path and `extensions.code` (clients match on them).
 * BigCommerce sends some without a code — its complexity refusal among them — and every error a client sees
 * carries one: an error that refused the whole operation (no data, no path) is the client's request
 * (BAD_USER_INPUT), any other is the upstream's (UPSTREAM_ERROR).
 */
function toGraphQLError(error: UpstreamGraphQLError, refused: boolean): GraphQLError {
  const extensions = typeof error.extensions === 'object' && error.extensions !== null ? { ...(error.extensions as Record<string, unknown>) } : {};
  const path = Array.isArray(error.path) ? (error.path as Array<string | number>) : undefined;
  if (typeof extensions.code !== 'string') extensions.code = refused && !path ? 'BAD_USER_INPUT' : 'UPSTREAM_ERROR';
  return new GraphQLError(error.message, { path, extensions });
}

function asGraphQLError(error: unknown): GraphQLError {
  return error instanceof GraphQLError ? error : gatewayError('UPSTREAM_ERROR', 'Storefront API request failed');
}

/**
 * A result that carries the upstream's own bytes: yoga sends them instead of serialising the same data again
 * — but only while the result is what the upstream sent. A plugin that adds `errors` or `extensions` (or
 * replaces `data`) gets ordinary serialisation, so nothing it adds is lost.
 */
function passthroughResult(data: Record<string, unknown>, text: string): ExecutionResult {
  const result: ExecutionResult & { stringify?: (value: unknown) => string } = { data };
  Object.defineProperty(result, 'stringify', {
    enumerable: false,
    value: (value: ExecutionResult) => {
      const unchanged = value.data === data && value.errors === undefined && value.extensions === undefined;
      return unchanged ? text : JSON.stringify(value);
    },
  });
  return result;
}

export interface StorefrontClientDeps {
  store: StoreConfig;
  http: HttpClient;
  resilience: Resilience;
  /** UPSTREAM_TIMEOUT_MS: the upstream budget of one client request, retries included. */
  timeoutMs: number;
  /** Storefront calls one client request may cause at most (every attempt counts). */
  maxCallsPerRequest: number;
  observe?: UpstreamObserver;
  /** BigCommerce's complexity score of each answered operation (`X-Bc-Graphql-Complexity`). */
  observeComplexity?: (score: number) => void;
}

/** Who the storefront is asked as, and the request's upstream budget; absent for the gateway's own calls (schema, readiness). */
export type StorefrontCaller = UpstreamIdentity & Partial<UpstreamCaller> & { channelId?: number };

/**
 * The one Storefront GraphQL transport: headers from the verified identity, the request's deadline, retries
 * and the circuit breaker, call counting, and the one response check. An `Executor`, so stitching, the
 * pass-through fast path and the gateway's own operations all use it. Failures come back as results with
 * `errors`, never as exceptions.
 */
export function createStorefrontClient(deps: StorefrontClientDeps): Executor {
  const targets = new Map<number, StorefrontTarget | undefined>();
  const targetOf = (channelId: number): StorefrontTarget | undefined => {
    if (!targets.has(channelId)) targets.set(channelId, storefrontTargetFor(deps.store, channelId));
    return targets.get(channelId);
  };
  async function execute(request: ExecutionRequest): Promise<ExecutionResult> {
    const caller = request.context as StorefrontCaller | undefined;
    const target = targetOf(caller?.channelId ?? deps.store.channelId);
    if (!target) return { errors: [gatewayError('NOT_FOUND', 'This channel is not served by the configured Storefront API URL')] };
    const { url } = target;
    const headers = storefrontHeaders(deps.store, caller);
    headers['content-type'] = 'application/json';
    if (target.host) headers.host = target.host;
    const body = JSON.stringify({ query: printCached(request.document), variables: request.variables ?? {}, operationName: request.operationName });
    const operationType = request.operationType ?? getOperationAST(request.document, request.operationName)?.operation;
    const deadline = upstreamDeadline(caller, deps.timeoutMs);
    try {
      const { text, json } = await deps.resilience.run(
        async (signal) => {
          const started = Date.now();
          countUpstreamCall(caller?.tally, 'storefront', deps.maxCallsPerRequest);
          let reply;
          try {
            reply = await deps.http({ method: 'POST', url, headers, body, signal });
          } catch {
            const outcome = signal.aborted ? 'timeout' : 'unreachable';
            deps.observe?.('storefront', outcome, Date.now() - started);
            // A timeout is reported by the resilience policy, which knows the whole budget.
            throw new UpstreamFailure(outcome, 'UPSTREAM_ERROR', 'Storefront API is unreachable');
          }
          const complexity = Number(reply.header('x-bc-graphql-complexity'));
          if (reply.header('x-bc-graphql-complexity') !== undefined && Number.isFinite(complexity)) {
            deps.observeComplexity?.(complexity);
            if (caller?.tally) caller.tally.complexity = (caller.tally.complexity ?? 0) + complexity;
          }
          const checked = checkStorefrontResponse(
            { status: reply.status, retryAfterMs: retryAfterMs(reply.header), text: reply.text },
            (outcome) => deps.observe?.('storefront', outcome, Date.now() - started),
          );
          return { text: reply.text, json: checked };
        },
        { deadline, budgetMs: deps.timeoutMs, idempotent: operationType === 'query' },
      );
      if (json.errors === undefined && json.extensions === undefined && json.data) return passthroughResult(json.data, text);
      const result: ExecutionResult = { data: json.data };
      if (json.errors) result.errors = json.errors.map((error) => toGraphQLError(error, !json.data));
      return result;
    } catch (error) {
      return { errors: [asGraphQLError(error)] };
    }
  }
  return execute as Executor;
}
