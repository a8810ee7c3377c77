import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** These tests run the compiled entry point exactly as `npm start` / `npm run sandbox` do (`npm test` builds first). */
const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(BC_|GATEWAY_|SANDBOX_|PORT$|HOST$|UPSTREAM_|LOG_LEVEL$)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = stdout.match(pattern);
        if (match) return resolve(match);
      };
      child.stdout!.on('data', check);
      check();
      void exited.then((code) => reject(new Error(`exited ${code} before ${pattern}: ${stdout}\n${stderr}`)));
    });
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGKILL');
}

describe('the compiled entry point (npm start, npm run sandbox)', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" (npm test does) before jest`);
  });

  it('starts gateway + embedded sandbox with no configuration, answers queries, exits 0 on SIGTERM', async () => {
    const proc = run([], { PORT: '0', LOG_LEVEL: 'warn' });
    try {
      const [, url] = await proc.waitFor(/GraphiQL: (http:\/\/localhost:\d+\/graphql)/);
      expect(proc.output().stdout).toContain('wholesale@example.com');
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ site { settings { storeName } } customer { entityId } }' }),
      });
      const body = (await response.json()) as { data: { site: { settings: { storeName: string } }; customer: null } };
      expect(body.data.site.settings.storeName).toEqual(expect.any(String));
      expect(body.data.customer).toBeNull();
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      stop(proc.child);
    }
  });

  it('reports every configuration problem at once and exits non-zero', async () => {
    const proc = run([], { BC_STOREFRONT_URL: 'https://store-abc-1.mybigcommerce.com/graphql', BC_AUTH_MODE: 'magic', PORT: 'eighty' });
    expect(await proc.exited).toBe(1);
    const { stderr } = proc.output();
    for (const name of ['BC_AUTH_MODE', 'PORT', 'GATEWAY_SESSION_SECRET', 'BC_STORE_HASH', 'BC_ACCESS_TOKEN', 'BC_CLIENT_ID', 'BC_CLIENT_SECRET', 'BC_STOREFRONT_TOKEN', 'BC_STORE_URL']) {
      expect(stderr).toContain(name);
    }
  });

  it('npm run sandbox prints its base URL, identity and demo accounts, taking identity from BC_* variables', async () => {
    const proc = run(['sandbox'], { SANDBOX_PORT: '0', BC_STORE_HASH: 'e2estore', BC_CLIENT_ID: 'e2e-client' });
    try {
      const [, base] = await proc.waitFor(/base URL\s+(http:\/\/[\d.]+:\d+)/);
      await proc.waitFor(/Retail1!/);
      const { stdout } = proc.output();
      expect(stdout).toContain('e2estore');
      expect(stdout).toContain('e2e-client');
      expect(stdout).toContain('wholesale@example.com');
      const time = await fetch(`${base}/stores/e2estore/v2/time`, { headers: { 'x-auth-token': 'wrong' } });
      expect(time.status).toBe(401);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      stop(proc.child);
    }
  });
});
