// The sandbox store in its own process for the bench, with a huge REST quota and a stats port that reports
// the upstream requests it received (REST pricing calls per gateway request in scenario c).
import { startSandbox } from '../sandbox';
import { announceReady, count, createCounters, exitOnSignal, startStatsServer } from './child-protocol';

async function main(): Promise<void> {
  const sandbox = await startSandbox({ port: 0, rateLimitQuota: 1e9 });
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
  announceReady({ url: sandbox.url, identity: sandbox.identity, statsUrl: stats.url });
}

main().catch((err: unknown) => {
  process.stderr.write(`serve-sandbox: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
