// Anonymous requests must not grow the gateway's memory without bound: every per-request memo, cache and
// counter is bounded by bytes and keyed by what matters. The gateway runs in a child process with a small
// heap (an unbounded cache would crash it), receives 2,000 requests of ~200 KB junk each, and must stay up,
// answer, and keep its heap within a stated bound.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');
const HEAP_LIMIT_MB = 160;
/** Growth allowed over the heap after warm-up: the parse caches' own bound (64 MB estimated) and headroom. */
const HEAP_GROWTH_BOUND_MB = 80;
const REQUESTS = 2000;
const CONCURRENCY = 8;

/** Kinds of junk, each a class of memo key an attacker controls. */
const JUNK: Array<(junk: string, i: number) => Record<string, unknown>> = [
  // A declared variable with a huge, always different value (memos keyed by variables).
  (junk) => ({ query: 'query Q($v: String) { site { settings { storeName } } }', variables: { v: junk } }),
  // Undeclared variables (must be ignored, not remembered).
  (junk, i) => ({ query: '{ site { settings { storeName } } }', variables: { [`x${i}`]: junk } }),
  // Always different documents: a long comment makes each text unique (parse caches keyed by document text).
  (junk) => ({ query: `# ${junk}\n{ site { settings { storeName } } }` }),
  // Always different invalid documents (parse-error caches).
  (junk) => ({ query: `{ site { ${junk.slice(0, 150_000)} ` }),
  // Junk in the operation name and extensions.
  (junk, i) => ({ query: '{ site { settings { storeName } } }', operationName: `op${i}${junk.slice(0, 1000)}`, extensions: { junk } }),
];

async function heapUsedMb(base: string): Promise<number> {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const match = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(metrics);
  if (!match) throw new Error('nodejs_heap_size_used_bytes missing from /metrics');
  return Number(match[1]) / 1024 / 1024;
}

describe('memory under anonymous junk (gateway in a child process, --max-old-space-size)', () => {
  it(`stays up through ${REQUESTS} requests of ~200 KB junk, heap growth under ${HEAP_GROWTH_BOUND_MB} MB`, async () => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--expose-gc', MAIN], {
      // The refused-document throttle would answer most junk unread: this test is about what reaches the memos.
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', GATEWAY_GRAPHIQL: 'false', GATEWAY_MAX_REFUSALS_PER_MINUTE: '1000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /GraphiQL: http:\/\/127\.0\.0\.1:(\d+)\/graphql/.exec(stdout);
          if (match) resolve(`http://127.0.0.1:${match[1]}`);
        };
        child.stdout.on('data', check);
        child.on('exit', (code) => reject(new Error(`gateway exited ${code}: ${stderr}`)));
      });
      const post = (body: Record<string, unknown>) =>
        fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const normal = async () => {
        const response = await post({ query: '{ site { settings { storeName } } }' });
        return (await response.json()) as { data?: { site: { settings: { storeName: string } } } };
      };

      // Warm-up: what every gateway holds after its first requests is not growth.
      for (let i = 0; i < 50; i++) await post(JUNK[i % JUNK.length](randomBytes(1000).toString('hex'), i));
      const before = await heapUsedMb(url);

      // 200 KB of random text once; each request puts its own number in front, so every value still differs.
      const base = randomBytes(100_000).toString('hex');
      let next = 0;
      const statuses = new Map<number, number>();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < REQUESTS) {
            const i = next++;
            const junk = `${i}:${randomBytes(8).toString('hex')}:${base}`;
            const response = await post(JUNK[i % JUNK.length](junk, i));
            await response.arrayBuffer();
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          }
        }),
      );
      // No request may have crashed the process or been answered with a server error.
      expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
      expect(child.exitCode).toBeNull();
      const after = await heapUsedMb(url);
      expect(after - before).toBeLessThan(HEAP_GROWTH_BOUND_MB);
      expect((await normal()).data?.site.settings.storeName).toEqual(expect.any(String));
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
