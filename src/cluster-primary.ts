import type { Cluster, Worker } from 'node:cluster';
import type { Logger } from 'pino';

/**
 * The primary of `GATEWAY_WORKERS`: keeps `count` workers running. A worker that dies is replaced after a
 * backoff that grows with the failed starts in a row; a worker that exits before it has listened for
 * `graceMs` failed to start. After `maxFailedStarts` of those in a row (a broken configuration, a port taken,
 * a crash at start-up) it gives up, so that the process supervisor (systemd, Kubernetes) restarts or reports
 * the gateway instead of it looping forever while serving nothing.
 */
export interface RestartPolicy {
  graceMs: number;
  maxFailedStarts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const RESTART_POLICY: RestartPolicy = { graceMs: 10_000, maxFailedStarts: 5, backoffBaseMs: 250, backoffMaxMs: 10_000 };

export interface WorkerSupervisor {
  /** Stops replacing workers, sends `signal` to each and resolves once all have exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Sends `signal` to every running worker. */
  signal(signal: NodeJS.Signals): void;
}

export function superviseWorkers(deps: {
  cluster: Pick<Cluster, 'on'>;
  fork: () => Worker;
  count: number;
  logger: Logger;
  policy?: RestartPolicy;
  /** Once, when `count` workers listen at the same time. */
  onListening: (port: number) => void;
  /** Called once when workers keep failing to start; no worker is started after it. */
  onGiveUp: (failedStarts: number) => void;
}): WorkerSupervisor {
  const policy = deps.policy ?? RESTART_POLICY;
  const { logger } = deps;
  const running = new Map<number, { worker: Worker; listening: boolean; stable: boolean; graceTimer?: NodeJS.Timeout }>();
  const restarts = new Set<NodeJS.Timeout>();
  let failedStarts = 0;
  let stopped = false;
  let announced = false;

  const start = (): void => {
    const worker = deps.fork();
    running.set(worker.id, { worker, listening: false, stable: false });
  };

  deps.cluster.on('listening', (worker, address) => {
    const entry = running.get(worker.id);
    if (!entry) return;
    entry.listening = true;
    entry.graceTimer = setTimeout(() => {
      entry.stable = true;
      failedStarts = 0;
    }, policy.graceMs);
    entry.graceTimer.unref();
    if (!announced && [...running.values()].filter((e) => e.listening).length === deps.count) {
      announced = true;
      deps.onListening(address.port);
    }
  });

  deps.cluster.on('exit', (worker, code, signal) => {
    const entry = running.get(worker.id);
    running.delete(worker.id);
    clearTimeout(entry?.graceTimer);
    if (!entry || stopped) return;
    if (!entry.stable) failedStarts++;
    if (failedStarts >= policy.maxFailedStarts) {
      stopped = true;
      logger.error({ worker: worker.id, code, signal, failedStarts }, 'workers keep failing to start: giving up');
      deps.onGiveUp(failedStarts);
      return;
    }
    const delayMs = entry.stable ? policy.backoffBaseMs : Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (failedStarts - 1));
    logger.error(
      { worker: worker.id, code, signal, failedStarts, restartInMs: delayMs },
      entry.stable ? 'worker exited; starting a new one' : 'worker failed to start; starting a new one',
    );
    // Not unref'd: while no worker runs, this timer is what keeps the primary alive.
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (!stopped) start();
    }, delayMs);
    restarts.add(timer);
  });

  for (let i = 0; i < deps.count; i++) start();

  const signalAll = (signal: NodeJS.Signals): void => {
    for (const { worker } of running.values()) if (!worker.isDead()) worker.process.kill(signal);
  };
  return {
    signal: signalAll,
    async stop(signal) {
      stopped = true;
      for (const timer of restarts) clearTimeout(timer);
      restarts.clear();
      const exited = [...running.values()].map(
        ({ worker }) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))),
      );
      signalAll(signal);
      await Promise.all(exited);
    },
  };
}
