import type { Cluster, Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsExposition } from './plugins/metrics';

/**
 * One /metrics for a `GATEWAY_WORKERS` cluster. A scrape reaches whichever worker the primary hands the
 * connection to, and one worker's registry alone would look like counters resetting from scrape to scrape: the
 * worker asks the primary, which gathers every worker's registry over cluster IPC (prom-client's
 * AggregatorRegistry: counters and histograms summed, each metric by its own aggregator) and answers the total.
 */
const REQUEST = 'gateway:metrics-request';
const RESPONSE = 'gateway:metrics-response';
/** Above the primary's own wait for its workers (prom-client gives up after 5 s). */
const WORKER_WAIT_MS = 7000;

type Request = { type: typeof REQUEST; id: number };
type Response = { type: typeof RESPONSE; id: number; text?: string };

const isRequest = (message: unknown): message is Request => (message as Request | null)?.type === REQUEST;
const isResponse = (message: unknown): message is Response => (message as Response | null)?.type === RESPONSE;

/** Primary: answers its workers' requests with the metrics of all of them. */
export function serveClusterMetrics(cluster: Pick<Cluster, 'on'>): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isRequest(message)) return;
    const reply = (text?: string): void => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, text } satisfies Response);
    };
    aggregator.clusterMetrics().then(reply, () => reply(undefined));
  });
}

/** Worker: offers its registry to the primary's aggregation and asks the primary for the total on each scrape. */
export function clusterMetricsExposition(ipc: Pick<NodeJS.Process, 'on' | 'off' | 'send'>): MetricsExposition {
  return (own: Registry) => {
    // Constructing one installs prom-client's worker-side listener; the registry is what it reports.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([own]);
    let nextId = 0;
    const ask = (): Promise<string> =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          ipc.off('message', onMessage);
          settle();
        };
        const onMessage = (message: unknown): void => {
          if (!isResponse(message) || message.id !== id) return;
          const { text } = message;
          finish(() => (text === undefined ? reject(new Error('the primary could not gather the workers\' metrics')) : resolve(text)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error('no metrics from the primary in time'))), WORKER_WAIT_MS);
        ipc.on('message', onMessage);
        if (!ipc.send) return finish(() => reject(new Error('no IPC channel to the primary')));
        ipc.send({ type: REQUEST, id } satisfies Request);
      });
    // /metrics is reachable by anyone who can reach the port: concurrent scrapes share one round over the cluster.
    let inFlight: Promise<string> | undefined;
    return () =>
      (inFlight ??= ask().finally(() => {
        inFlight = undefined;
      }));
  };
}
