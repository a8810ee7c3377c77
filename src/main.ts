/**
 * The only place that reads process.env and listens. `node dist/src/main.js` starts the gateway
 * (with the embedded sandbox store when BC_STOREFRONT_URL is unset); `... main.js sandbox` starts
 * the sandbox store alone.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { clusterMetricsExposition, serveClusterMetrics } from './cluster-metrics';
import { superviseWorkers } from './cluster-primary';
import { ConfigError, parseConfig, withStore, type StartupConfig } from './config';
import { createGateway } from './gateway';
import { serve } from './http/serve';
import { createLogger } from './logger';
import { sandboxStoreConfig, type SandboxEndpoint } from './sandbox-mode';
import { registerSandboxWebhooks } from './webhooks/sandbox-registration';

/**
 * The sandbox store (../sandbox, its own package) is loaded only when it is started: a gateway serving a real
 * store never loads its code or parses its seed. Its types come from the same dynamic import.
 */
const loadSandbox = () => import('../sandbox');
type SandboxModule = Awaited<ReturnType<typeof loadSandbox>>;
type Sandbox = Awaited<ReturnType<SandboxModule['startSandbox']>>;

async function startSandboxFrom(config: StartupConfig, port: number): Promise<{ sandbox: Sandbox; banner: string }> {
  const { describeSandbox, startSandbox } = await loadSandbox();
  const { sandbox } = config;
  const started = await startSandbox({
    port,
    host: '127.0.0.1',
    storeHash: sandbox.storeHash,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    accessToken: sandbox.accessToken,
    channelId: config.channelId,
    rateLimitQuota: sandbox.rateLimitQuota,
  });
  return { sandbox: started, banner: describeSandbox(started) };
}

/**
 * SIGTERM: first drain — `/ready` answers 503 for `drainMs` while requests are still served, so a load balancer
 * stops sending — then stop accepting and let in-flight requests finish (up to `timeoutMs`), then exit 0.
 * SIGINT (Ctrl-C) and a second signal skip what is left of the drain.
 */
function closeOnSignals(
  logger: Logger,
  timing: { drainMs: number; timeoutMs: number },
  steps: { drain?: () => void; close: (signal: NodeJS.Signals) => Promise<void>; again?: (signal: NodeJS.Signals) => void },
): void {
  let draining: NodeJS.Timeout | undefined;
  let closing = false;
  const close = (signal: NodeJS.Signals): void => {
    clearTimeout(draining);
    if (closing) return steps.again?.(signal);
    closing = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const forced = setTimeout(() => {
      logger.error({ timeoutMs: timing.timeoutMs }, 'shutdown timed out with requests still in flight');
      process.exit(1);
    }, timing.timeoutMs);
    forced.unref();
    steps
      .close(signal)
      .then(() => {
        logger.info({}, 'shut down');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ message: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        process.exit(1);
      });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGINT' || draining || closing || !steps.drain || timing.drainMs === 0) return close(signal);
    steps.drain();
    logger.info({ signal, drainMs: timing.drainMs }, 'draining: /ready answers 503 until the listener closes');
    draining = setTimeout(() => close(signal), timing.drainMs);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Set by the primary of `GATEWAY_WORKERS` > 1 in sandbox mode for its workers: the one sandbox store they all
 * use (JSON of its url and identity). Internal: not a user setting.
 */
const SANDBOX_ENDPOINT_ENV = 'GATEWAY_INTERNAL_SANDBOX_ENDPOINT';

/** One gateway process: a single instance, or one worker of several. */
async function runGateway(config: StartupConfig, logger: Logger): Promise<void> {
  let sandbox: Sandbox | undefined;
  let sandboxBanner = '';
  let store = config.store;
  const sharedSandbox = process.env[SANDBOX_ENDPOINT_ENV];
  if (!store) {
    let endpoint: SandboxEndpoint;
    if (sharedSandbox) endpoint = JSON.parse(sharedSandbox) as SandboxEndpoint;
    else {
      ({ sandbox, banner: sandboxBanner } = await startSandboxFrom(config, 0));
      endpoint = sandbox;
      logger.info({ sandbox: sandbox.url }, 'sandbox mode: embedded sandbox store started');
    }
    store = await sandboxStoreConfig(endpoint, {
      authMode: config.authMode,
      trustedProxySecret: config.trustedProxySecret,
      timeoutMs: config.upstreamTimeoutMs,
      channelIds: config.frontDoor?.channels,
    });
  }
  const gatewayConfig = withStore(config, store);
  const gateway = await createGateway(gatewayConfig, {
    logger,
    defaultMetrics: true,
    ...(cluster.isWorker ? { metricsExposition: clusterMetricsExposition(process) } : {}),
  });
  const served = await serve(gateway, {
    port: config.port,
    host: config.host,
    ...config.server,
    tls: config.tls,
    onTlsProblem: (message) => logger.warn({ message }, 'TLS certificate reload failed; keeping the previous one'),
  });
  // Before anything announces the port: a signal that comes as soon as it is listening must find its handler.
  closeOnSignals(
    logger,
    { drainMs: config.shutdownDrainMs, timeoutMs: config.shutdownTimeoutMs },
    {
      drain: gateway.drain,
      close: async () => {
        await served.close();
        await gateway.close();
        await sandbox?.close();
      },
    },
  );
  const url = served.graphqlUrl;
  logger.info({ url, mode: config.store ? 'store' : 'sandbox', authMode: store.authMode, sharedState: gatewayConfig.redis ? 'redis' : 'memory' }, 'gateway listening');
  if (sandbox) {
    // As an operator would on a real store (npm run webhooks:register): price changes reach the cache in seconds.
    const port = Number(new URL(served.url).port);
    await registerSandboxWebhooks({ store, host: config.host, port, webhookSecret: gatewayConfig.webhookSecret, logger, timeoutMs: config.upstreamTimeoutMs });
    process.stdout.write(`\nGraphiQL: ${url}\n\n${sandboxBanner}\n`);
  }
}

/**
 * `GATEWAY_WORKERS` > 1: this process forks the workers, which share one port (node:cluster hands out the
 * connections) and their state through Redis, and serves their metrics as one (src/cluster-metrics.ts). In
 * sandbox mode it starts the one sandbox store they all use, and a session key for all of them when none is
 * configured. A worker that dies is replaced; workers that keep failing to start make it exit 1
 * (src/cluster-primary.ts).
 */
async function runPrimary(config: StartupConfig, logger: Logger): Promise<void> {
  const env: Record<string, string> = {};
  let sandbox: Sandbox | undefined;
  let banner = '';
  if (!config.store) {
    ({ sandbox, banner } = await startSandboxFrom(config, 0));
    env[SANDBOX_ENDPOINT_ENV] = JSON.stringify({ url: sandbox.url, identity: sandbox.identity });
    // Each worker would otherwise draw its own random key, and a session opened on one would be refused by the others.
    if (!config.session.secret) env.GATEWAY_SESSION_SECRET = randomBytes(32).toString('base64url');
  }
  serveClusterMetrics(cluster);
  const workers = superviseWorkers({
    cluster,
    fork: () => cluster.fork(env),
    count: config.workers,
    logger,
    onListening: (port) => {
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      logger.info({ workers: config.workers, port }, 'gateway workers listening');
      if (!sandbox) return;
      const { url: apiUrl, identity } = sandbox;
      void registerSandboxWebhooks({ store: { apiUrl, ...identity }, host: config.host, port, webhookSecret: config.webhookSecret, logger, timeoutMs: config.upstreamTimeoutMs });
      process.stdout.write(`\nGraphiQL: http://${host}:${port}/graphql (${config.workers} workers)\n\n${banner}\n`);
    },
    // A supervisor restarts (or reports) a process that exits non-zero; one that loops serving nothing it never sees.
    onGiveUp: () => {
      const forced = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
      forced.unref();
      void workers
        .stop('SIGINT')
        .then(() => sandbox?.close())
        .finally(() => process.exit(1));
    },
  });
  // The workers drain and close themselves on the signal they are sent: the primary waits for both.
  closeOnSignals(
    logger,
    { drainMs: 0, timeoutMs: config.shutdownDrainMs + config.shutdownTimeoutMs },
    {
      close: async (signal) => {
        await workers.stop(signal);
        await sandbox?.close();
      },
      // A second signal skips what is left of the workers' drain, as it does for a single process.
      again: (signal) => workers.signal(signal),
    },
  );
}

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const base = createLogger(config.logLevel);
  // Every line of a worker says which one it is (the request log included), so a test or an operator can
  // tell which worker answered.
  const logger = cluster.isWorker ? base.child({ worker: cluster.worker?.id }) : base;

  if (process.argv[2] === 'sandbox') {
    const { sandbox, banner } = await startSandboxFrom(config, config.sandbox.port);
    process.stdout.write(banner + '\n');
    closeOnSignals(logger, { drainMs: 0, timeoutMs: config.shutdownTimeoutMs }, { close: sandbox.close });
    return;
  }
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, logger);
  return runGateway(config, logger);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
