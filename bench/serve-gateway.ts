// Our gateway in its own process for the bench, built the way `npm start` builds it in sandbox mode (defaults
// from parseConfig, storefront token created through the sandbox's REST endpoint, the same node:http handler),
// except that it reaches the bench's separate sandbox process and logs at `warn` (BENCH_GATEWAY_LOG_LEVEL): the bench
// measures the request path, not log I/O. The stats port counts received /graphql requests.
// The response cache is off unless BENCH_GATEWAY_CACHE=on (run.ts starts one process per cache setting), so the
// scenarios that measure the pass-through path (a, b, c, v) keep measuring it; BENCH_GATEWAY_CACHE_TTL_S sets
// GATEWAY_CACHE_TTL_SECONDS (the gateway's default when unset).
import type { IncomingMessage } from 'node:http';
import { parseConfig, withStore } from '../src/config';
import { createGateway } from '../src/gateway';
import { serve } from '../src/http/serve';
import { createLogger } from '../src/logger';
import { sandboxStoreConfig, type SandboxEndpoint } from '../src/sandbox-mode';
import { announceReady, count, createCounters, exitOnSignal, startStatsServer } from './child-protocol';

const SESSION_SECRET = 'bench-session-secret-0123456789-abcdefghijklmn';

function sandboxFromEnv(): SandboxEndpoint {
  const raw = process.env.BENCH_SANDBOX;
  if (!raw) throw new Error('BENCH_SANDBOX (JSON {url, identity}) is required');
  return JSON.parse(raw) as SandboxEndpoint;
}

function cacheSetting(): 'on' | 'off' {
  const raw = process.env.BENCH_GATEWAY_CACHE ?? 'off';
  if (raw !== 'on' && raw !== 'off') throw new Error(`BENCH_GATEWAY_CACHE must be "on" or "off" (got "${raw}")`);
  return raw;
}

async function main(): Promise<void> {
  const sandbox = sandboxFromEnv();
  const startup = parseConfig({
    GATEWAY_SESSION_SECRET: SESSION_SECRET,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'warn',
    // All bench traffic comes from one loopback address: the per-client catalog budget would refuse it.
    GATEWAY_CLIENT_REST_CALLS_PER_MINUTE: '1000000',
    // Scenario v's attacker says who it is in X-Forwarded-For (loopback is the one trusted hop); traffic without
    // the header is the socket's address, as before.
    GATEWAY_TRUST_PROXY: 'true',
    GATEWAY_CACHE: cacheSetting(),
    // run.ts checks and counts X-Cache, which shoppers are not shown by default.
    GATEWAY_CACHE_DEBUG_HEADER: 'true',
    ...(process.env.BENCH_GATEWAY_CACHE_TTL_S ? { GATEWAY_CACHE_TTL_SECONDS: process.env.BENCH_GATEWAY_CACHE_TTL_S } : {}),
  });
  const store = await sandboxStoreConfig(sandbox, { authMode: startup.authMode, timeoutMs: startup.upstreamTimeoutMs });
  const config = withStore(startup, store);
  const logger = createLogger(config.logLevel);
  const gateway = await createGateway(config, { logger, defaultMetrics: true });
  const counters = createCounters();
  const served = await serve(gateway, { port: 0, host: '127.0.0.1' });
  // Counted on arrival: a request the load generator abandons when a run stops still made its upstream calls.
  served.server.on('request', (req: IncomingMessage) => count(counters, req.method ?? 'GET', (req.url ?? '/').split('?')[0]));
  const stats = await startStatsServer(counters);
  exitOnSignal(async () => {
    stats.server.close();
    served.server.closeAllConnections();
    await served.close();
    await gateway.close();
  });
  announceReady({ url: served.url, statsUrl: stats.url, cache: config.cache?.enabled ?? null });
}

main().catch((err: unknown) => {
  process.stderr.write(`serve-gateway: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
