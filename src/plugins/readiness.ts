import { OperationTypeNode, parse } from 'graphql';
import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { GatewayStores } from '../state/types';
import type { Upstreams } from '../upstreams';

const READY_PROBE = parse('query GatewayReadiness { __typename }');

/**
 * `/ready`: 503 when the storefront cannot be reached (nothing can be served); 200 otherwise. Shared state
 * that is down makes the instance `degraded`, not unready: guests are still served, and taking every instance
 * out of a load balancer for a Redis outage would turn it into a full one. The body says why, naming no address.
 */
async function readiness(upstreams: Upstreams, stores: GatewayStores, ResponseClass: typeof Response): Promise<Response> {
  const [storefront, sharedState] = await Promise.all([
    Promise.resolve(upstreams.storefront({ document: READY_PROBE, context: undefined, operationType: OperationTypeNode.QUERY })).then((result) =>
      (result as { data?: unknown }).data ? 'ok' : upstreams.breakers.storefront.state() === 'closed' ? 'unreachable' : 'circuit open',
    ),
    stores.kind === 'memory' ? Promise.resolve('in memory (single instance)') : stores.ping().then(() => 'ok', () => 'unavailable'),
  ]);
  const status = storefront !== 'ok' ? 'unavailable' : sharedState === 'unavailable' ? 'degraded' : 'ready';
  const body = { status, storefront, rest: upstreams.breakers.rest.state() === 'closed' ? 'ok' : 'circuit open', sharedState };
  return new ResponseClass(JSON.stringify(body), { status: status === 'unavailable' ? 503 : 200, headers: { 'content-type': 'application/json' } });
}

export function readinessPlugin(deps: { upstreams: Upstreams; stores: GatewayStores }): Plugin {
  return useReadinessCheck({ endpoint: '/ready', check: ({ fetchAPI }) => readiness(deps.upstreams, deps.stores, fetchAPI.Response) });
}
