// The sandbox store in its own process for the bench, with a huge REST quota and a stats port that reports
// the upstream requests it received (REST pricing calls per gateway request in scenario c).
// BENCH_SANDBOX_LATENCY_MS (default 0) delays every request by that much (scenario e's slow upstream).
import { startSandbox } from '../sandbox';
import { announceReady, count, createCounters, exitOnSignal, startStatsServer } from './child-protocol';

function latencyMs(): number {
  const raw = process.env.BENCH_SANDBOX_LATENCY_MS ?? '0';
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new Error(`BENCH_SANDBOX_LATENCY_MS must be a number >= 0 (got "${raw}")`);
  return value;
}

async function main(): Promise<void> {
  const latency = latencyMs();
  const sandbox = await startSandbox({ port: 0, rateLimitQuota: 1e9, latencyMs: latency });
  const counters = createCounters();
  // Fold the sandbox's request log into counters and drop it, so a long bench does not grow it without bound.
  const fold = (): void => {
    for (const entry of sandbox.requestLog) count(counters, entry.method, entry.path);
    sandbox.requestLog.length = 0;
  };
  const foldTimer = setInterval(fold, 1000);
  foldTimer.unref();
  const stats = await startStatsServer(counters, fold);
  exitOnSignal(async () => {
    stats.server.close();
    await sandbox.close();
  });
  announceReady({ url: sandbox.url, identity: sandbox.identity, statsUrl: stats.url, latencyMs: latency });
}

main().catch((err: unknown) => {
  process.stderr.write(`serve-sandbox: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
