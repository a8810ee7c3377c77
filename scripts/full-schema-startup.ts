// `npm run startup:full-schema`: how long the gateway takes to start against a store-sized schema (the full
// 773-type Storefront schema served by a mock upstream over HTTP) and what it holds in memory afterwards.
// Printed for people and capacity planning, not asserted: numbers depend on the machine.
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildGateway, gatewayConfig, projectRoot, serveGateway, storefrontOnlyStore, type ServedGateway } from './harness';
import { fullSchemaPath, readFullSchema, startMockStorefront } from './mock-storefront';

const MB = 1024 * 1024;

// A full collection before each reading, so the numbers are what is retained rather than when V8 last
// collected. package.json runs plain `node`, hence the flag set at run time instead of on the command line.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function memory(): { rssMb: number; heapUsedMb: number } {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: Math.round((rss / MB) * 10) / 10, heapUsedMb: Math.round((heapUsed / MB) * 10) / 10 };
}

function line(label: string, ms: number, mem: { rssMb: number; heapUsedMb: number }): string {
  return `${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms   rss ${mem.rssMb.toFixed(1).padStart(7)} MB   heapUsed ${mem.heapUsedMb.toFixed(1).padStart(7)} MB`;
}

async function firstQueryMs(gateway: ServedGateway): Promise<number> {
  const started = performance.now();
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ site { products(first: 5) { edges { node { entityId name } } } } }' }),
  });
  const body = (await response.json()) as { errors?: unknown };
  if (body.errors) throw new Error(`first query failed: ${JSON.stringify(body.errors)}`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const schemaFile = fullSchemaPath(projectRoot());
  const sdl = readFullSchema(schemaFile);
  const baseline = memory();
  const mockStarted = performance.now();
  const mock = await startMockStorefront(sdl);
  const mockMs = performance.now() - mockStarted;
  const withMock = memory();
  const out: string[] = [
    `full Storefront schema: ${schemaFile} (${(sdl.length / 1024).toFixed(0)} KiB)`,
    `node ${process.version}, ${process.platform}/${process.arch}; memory after a full GC; the first start also pays module warm-up`,
    line('process baseline (before anything)', 0, baseline),
    line('+ mock upstream (full schema)', mockMs, withMock),
  ];
  const served: ServedGateway[] = [];
  try {
    for (const [label, overrides] of [
      ['gateway start, introspection', {}],
      ['gateway start, BC_SCHEMA_FILE', { schemaFile }],
    ] as const) {
      const started = performance.now();
      const gateway = await serveGateway(await buildGateway(gatewayConfig(storefrontOnlyStore(mock.url), overrides)));
      const ms = performance.now() - started;
      served.push(gateway);
      out.push(line(`+ ${label}`, ms, memory()));
      out.push(line(`  first query (${label.split(', ')[1]})`, await firstQueryMs(gateway), memory()));
    }
    out.push(`upstream requests: ${mock.requestCount()} (introspection + first queries)`);
  } finally {
    await Promise.all(served.map((g) => g.close()));
    await mock.close();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`startup:full-schema failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
