import { randomUUID } from 'node:crypto';
import { getOperationAST } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import { safeHeaderId, type GatewayContext } from '../context';
import type { GatewayMetrics } from './metrics';

interface RequestRecord {
  id: string;
  /** The client's X-Correlation-Id, for requests refused before a context exists (e.g. a bad session). */
  inboundCorrelationId?: string;
  started: number;
  operationName?: string;
  errorCodes: string[];
  context?: GatewayContext;
}

/**
 * One structured log line per GraphQL request (request id, correlation id, operation, status, duration,
 * upstream calls, cache status, error codes) and the request metrics. Nothing from headers or variables is logged.
 */
export function requestLogPlugin(deps: {
  logger: Logger;
  metrics: GatewayMetrics;
  now: () => number;
  graphqlEndpoint: string;
  /** The response cache's verdict for the request (X-Cache): HIT, MISS or BYPASS. */
  cacheStatus?: (request: Request) => string;
}): Plugin<GatewayContext & YogaInitialContext> {
  const records = new WeakMap<Request, RequestRecord>();
  return {
    onRequest({ request, url }) {
      if (url.pathname !== deps.graphqlEndpoint) return;
      records.set(request, {
        id: safeHeaderId(request.headers.get('x-request-id')) ?? randomUUID(),
        inboundCorrelationId: safeHeaderId(request.headers.get('x-correlation-id')),
        started: deps.now(),
        errorCodes: [],
      });
    },
    onExecute({ args }) {
      const record = records.get(args.contextValue.request);
      if (!record) return;
      record.operationName = getOperationAST(args.document, args.operationName)?.name?.value;
      record.context = args.contextValue;
    },
    onResultProcess({ request, result }) {
      const record = records.get(request);
      if (!record) return;
      const results = Array.isArray(result) ? result : [result];
      for (const item of results) {
        const errors = (item as { errors?: Array<{ extensions?: Record<string, unknown> }> }).errors ?? [];
        for (const error of errors) record.errorCodes.push(String(error.extensions?.code ?? 'UNKNOWN'));
      }
    },
    onResponse({ request, response }) {
      const record = records.get(request);
      if (!record) return;
      const durationMs = deps.now() - record.started;
      response.headers.set('x-request-id', record.id);
      const correlationId = record.context?.correlationId ?? record.inboundCorrelationId;
      if (correlationId) response.headers.set('x-correlation-id', correlationId);
      deps.metrics.observeRequest(response.status, durationMs / 1000, record.errorCodes);
      deps.logger.info(
        {
          requestId: record.id,
          correlationId,
          operationName: record.operationName,
          status: response.status,
          durationMs,
          upstreamCalls: record.context?.tally.upstreamCalls ?? 0,
          cache: deps.cacheStatus?.(request),
          // BigCommerce's own score of the storefront operations (it refuses over 10,000).
          complexity: record.context?.tally.complexity,
          customerId: record.context?.shopper?.customerId,
          errorCodes: record.errorCodes.length ? record.errorCodes : undefined,
        },
        'graphql request',
      );
    },
  };
}

