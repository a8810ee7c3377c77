/**
 * The only place that reads process.env and listens. `node dist/src/main.js` starts the gateway
 * (with the embedded sandbox store when BC_STOREFRONT_URL is unset); `... main.js sandbox` starts
 * the sandbox store alone.
 */
import type { Logger } from 'pino';
import { ConfigError, parseConfig, withStore, type StartupConfig } from './config';
import { createGateway } from './gateway';
import { serve } from './http/serve';
import { createLogger } from './logger';
import { sandboxStoreConfig } from './sandbox-mode';

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

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to the timeout), then exit 0. */
function closeOnSignals(logger: Logger, timeoutMs: number, closers: Array<() => Promise<void>>): void {
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const forced = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out with requests still in flight');
      process.exit(1);
    }, timeoutMs);
    forced.unref();
    Promise.all(closers.map((close) => close()))
      .then(() => {
        logger.info({}, 'shut down');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ message: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const logger = createLogger(config.logLevel);

  if (process.argv[2] === 'sandbox') {
    const { sandbox, banner } = await startSandboxFrom(config, config.sandbox.port);
    process.stdout.write(banner + '\n');
    closeOnSignals(logger, config.shutdownTimeoutMs, [sandbox.close]);
    return;
  }

  let sandbox: Sandbox | undefined;
  let sandboxBanner = '';
  let store = config.store;
  if (!store) {
    ({ sandbox, banner: sandboxBanner } = await startSandboxFrom(config, 0));
    store = await sandboxStoreConfig(sandbox, {
      authMode: config.authMode,
      trustedProxySecret: config.trustedProxySecret,
      timeoutMs: config.upstreamTimeoutMs,
    });
    logger.info({ sandbox: sandbox.url, storeHash: store.storeHash }, 'sandbox mode: embedded sandbox store started');
  }
  const gatewayConfig = withStore(config, store);
  const gateway = await createGateway(gatewayConfig, { logger, defaultMetrics: true });
  const served = await serve(gateway, { port: config.port, host: config.host, ...config.server });
  const url = served.graphqlUrl;
  logger.info({ url, mode: sandbox ? 'sandbox' : 'store', authMode: store.authMode }, 'gateway listening');
  if (sandbox) process.stdout.write(`\nGraphiQL: ${url}\n\n${sandboxBanner}\n`);
  closeOnSignals(logger, config.shutdownTimeoutMs, [
    async () => {
      await served.close();
      await gateway.close();
      await sandbox?.close();
    },
  ]);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
