import { OperationTypeNode, parse } from 'graphql';
import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { GatewayStores } from '../state/types';
import type { Upstreams } from '../upstreams';

const READY_PROBE = parse('query GatewayReadiness { __typename }');
/**
 * How long one probe's answer is shared: `/ready` is anonymous, and each check costs a storefront request (and a
 * Redis round trip); load balancers probe every few seconds, so a second of staleness costs them nothing.
 */
export const READINESS_SHARE_MS = 1000;

type Status = 'ready' | 'degraded' | 'unavailable' | 'draining';
interface Probe {
  status: Status;
  storefront: string;
  rest: string;
  sharedState: string;
}

/**
 * `/ready`: 503 when the storefront cannot be reached (nothing can be served); 200 otherwise. Shared state
 * that is down makes the instance `degraded`, not unready: guests are still served, and taking every instance
 * out of a load balancer for a Redis outage would turn it into a full one. The body says why, naming no address.
 */
async function probe(upstreams: Upstreams, stores: GatewayStores): Promise<Probe> {
  const [storefront, sharedState] = await Promise.all([
    Promise.resolve(upstreams.storefront({ document: READY_PROBE, context: undefined, operationType: OperationTypeNode.QUERY })).then(
      (result) => ((result as { data?: unknown }).data ? 'ok' : upstreams.breakers.storefront.state() === 'closed' ? 'unreachable' : 'circuit open'),
      () => 'unreachable',
    ),
    stores.kind === 'memory' ? Promise.resolve('in memory (single instance)') : stores.ping().then(() => 'ok', () => 'unavailable'),
  ]);
  const status = storefront !== 'ok' ? 'unavailable' : sharedState === 'unavailable' ? 'degraded' : 'ready';
  return { status, storefront, rest: upstreams.breakers.rest.state() === 'closed' ? 'ok' : 'circuit open', sharedState };
}

/**
 * The readiness endpoint, and the shutdown drain: once `drain()` is called `/ready` answers 503 `draining`
 * (without probing upstream), so a load balancer stops sending before the listener closes.
 */
export function createReadiness(deps: { upstreams: Upstreams; stores: GatewayStores; now: () => number; shareMs?: number }) {
  const shareMs = deps.shareMs ?? READINESS_SHARE_MS;
  let draining = false;
  // One check at a time, its answer reused until it is `shareMs` old (concurrent probes wait for the same one).
  let shared: { result: Promise<Probe>; settledAt?: number } | undefined;
  const current = (): Promise<Probe> => {
    const at = deps.now();
    if (shared && (shared.settledAt === undefined || at - shared.settledAt < shareMs)) return shared.result;
    const entry: { result: Promise<Probe>; settledAt?: number } = { result: probe(deps.upstreams, deps.stores) };
    const settled = () => (entry.settledAt = deps.now());
    void entry.result.then(settled, settled);
    shared = entry;
    return entry.result;
  };
  const plugin: Plugin = useReadinessCheck({
    endpoint: '/ready',
    check: async ({ fetchAPI }) => {
      const body: Pick<Probe, 'status'> = draining ? { status: 'draining' } : await current();
      const ok = body.status === 'ready' || body.status === 'degraded';
      return new fetchAPI.Response(JSON.stringify(body), { status: ok ? 200 : 503, headers: { 'content-type': 'application/json' } });
    },
  });
  return {
    plugin,
    drain(): void {
      draining = true;
    },
  };
}
