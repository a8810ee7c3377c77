// How the bench's server processes talk to bench/run.ts: one `BENCH_READY <json>` line on stdout once listening,
// a side HTTP port with `GET /__bench/stats` (request counters), and a clean exit on SIGTERM/SIGINT so that
// `node --cpu-prof` gets to write its profile.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const READY_PREFIX = 'BENCH_READY ';

export interface Counters {
  /** Requests by `METHOD path`. */
  byRoute: Record<string, number>;
  total: number;
}

export function createCounters(): Counters {
  return { byRoute: {}, total: 0 };
}

export function count(counters: Counters, method: string, path: string): void {
  const key = `${method} ${path}`;
  counters.byRoute[key] = (counters.byRoute[key] ?? 0) + 1;
  counters.total += 1;
}

export function announceReady(payload: object): void {
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(payload)}\n`);
}

/** The stats side port; `onRead` runs before each answer (e.g. to fold a log into the counters). */
export function startStatsServer(counters: Counters, onRead: () => void = () => undefined): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/__bench/stats') {
      onRead();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(counters));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/__bench/stats`, server })),
  );
}

export function exitOnSignal(cleanup: () => Promise<void>): void {
  let exiting = false;
  const handler = (): void => {
    if (exiting) return;
    exiting = true;
    // process.exit (not a signal death) lets --cpu-prof write its file.
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    cleanup().finally(() => process.exit(0));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
