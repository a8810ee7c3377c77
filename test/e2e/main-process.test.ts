import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox';
import { startFaultProxy } from '../helpers/fault-proxy';

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

  it('real-store mode: finishes an in-flight request on SIGTERM, refuses new ones, exits 0', async () => {
    const sandbox = await startSandbox({ port: 0 });
    const proxy = await startFaultProxy(sandbox.url);
    const { identity } = sandbox;
    const tokenResponse = await fetch(`${sandbox.url}/stores/${identity.storeHash}/v3/storefront/api-token-customer-impersonation`, {
      method: 'POST',
      headers: { 'x-auth-token': identity.accessToken, 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id: 1, expires_at: Math.floor(Date.now() / 1000) + 3600 }),
    });
    const { data } = (await tokenResponse.json()) as { data: { token: string } };
    const proc = run([], {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      BC_STOREFRONT_URL: `${proxy.url}/graphql`,
      BC_STORE_URL: sandbox.url,
      BC_API_URL: sandbox.url,
      BC_STORE_HASH: identity.storeHash,
      BC_ACCESS_TOKEN: identity.accessToken,
      BC_CLIENT_ID: identity.clientId,
      BC_CLIENT_SECRET: identity.clientSecret,
      BC_STOREFRONT_TOKEN: data.token,
      GATEWAY_SESSION_SECRET: 'e2e-session-secret-0123456789abcdefghij',
      // No drain (test/e2e/shutdown-drain.test.ts covers it): the listener closes at once.
      GATEWAY_SHUTDOWN_DRAIN_MS: '0',
    });
    try {
      const [, port] = await proc.waitFor(/"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/);
      const url = `http://127.0.0.1:${port}/graphql`;
      proxy.setFault((path) => path === '/graphql', { kind: 'delay', ms: 1500 });
      const slow = fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ site { settings { storeName } } }' }),
      });
      // SIGTERM once the request is in flight: the upstream (behind the delaying proxy) has received it.
      for (let i = 0; i < 100 && !proxy.requests.some((r) => r.path === '/graphql' && r.body.includes('storeName')); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      proc.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then(
        () => false,
        () => true,
      );
      expect(refused).toBe(true);
      const response = await slow;
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { site: { settings: { storeName: string } } } };
      expect(body.data.site.settings.storeName).toEqual(expect.any(String));
      expect(await proc.exited).toBe(0);
      expect(proc.output().stdout).not.toContain(identity.clientSecret);
      expect(proc.output().stdout).not.toContain(data.token);
    } finally {
      stop(proc.child);
      await proxy.close();
      await sandbox.close();
    }
  });
});
