import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox';
import type { StoreConfig } from '../../src/config';
import { sandboxStoreConfig } from '../../src/sandbox-mode';
import { startRedisServer, type RedisServer } from './redis-server';

/**
 * The compiled gateway (`node dist/src/main.js`, exactly what `npm start` runs) as a child process, and a
 * plain HTTP client for it. `npm test` builds dist/ before jest runs.
 */
export const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" (npm test does) before jest`);
}

/** One pino line of the child's stdout. */
export type LogRecord = Record<string, unknown> & { msg?: string; worker?: number; pid?: number };

export interface GatewayProcess {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:43123 (no path). */
  origin: string;
  graphqlUrl: string;
  /** pids of the processes that serve requests: the process itself, or its cluster workers. */
  servingPids: number[];
  /** Every JSON log line so far, in order. */
  logs(): LogRecord[];
  output(): { stdout: string; stderr: string };
  /** Resolves with the first log line (already seen or still to come) that matches, or rejects after `timeoutMs`. */
  waitForLog(match: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** SIGKILL (as a crash) the process and, for a cluster primary, its workers; resolves once all are gone. */
  kill(): Promise<void>;
  /** The same command and environment again (new process, new port). */
  respawn(): Promise<GatewayProcess>;
  exited: Promise<number | null>;
}

/** What the real-process suites share: a sandbox store in the test process (generous REST quota) and a redis-server. */
export interface ProcessBackends {
  sandbox: Sandbox;
  redis: RedisServer;
  /** The sandbox as a real store's configuration (impersonation mode), for storeModeEnv. */
  store: StoreConfig;
  /** Kills every gateway process still running, then stops Redis and the sandbox. */
  close(): Promise<void>;
}

export async function startProcessBackends(): Promise<ProcessBackends> {
  assertBuilt();
  const [sandbox, redis] = await Promise.all([startSandbox({ port: 0, rateLimitQuota: 100_000 }), startRedisServer()]);
  const store = await sandboxStoreConfig(sandbox, { authMode: 'impersonation', timeoutMs: 5000 });
  return {
    sandbox,
    redis,
    store,
    close: async () => {
      await killAllGatewayProcesses();
      await redis.stop();
      await sandbox.close();
    },
  };
}

/** Real-store mode pointed at `store` (e.g. a sandbox in the test process), as an operator would configure a BigCommerce store. */
export function storeModeEnv(store: StoreConfig, sessionSecret: string): Record<string, string> {
  return {
    BC_STOREFRONT_URL: store.storefrontUrl,
    BC_STORE_URL: store.storeUrl,
    BC_API_URL: store.apiUrl,
    BC_STORE_HASH: store.storeHash,
    BC_ACCESS_TOKEN: store.accessToken,
    BC_CLIENT_ID: store.clientId,
    BC_CLIENT_SECRET: store.clientSecret,
    BC_STOREFRONT_TOKEN: store.storefrontToken,
    GATEWAY_SESSION_SECRET: sessionSecret,
    GATEWAY_SCHEMA_REFRESH_SECONDS: '0',
  };
}

/** Variables of the test runner's own environment that must not leak into a child's configuration. */
const CONFIG_VARIABLE = /^(BC_|GATEWAY_|SANDBOX_|REDIS_|PORT$|HOST$|UPSTREAM_|LOG_LEVEL$|NODE_ENV$)/;

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!CONFIG_VARIABLE.test(key)) env[key] = value;
  return { ...env, ...extra };
}

const live = new Set<GatewayProcess>();

/** Kills every gateway process this helper started and is still running (for afterAll, also after a failure). */
export async function killAllGatewayProcesses(): Promise<void> {
  await Promise.all([...live].map((proc) => proc.kill()));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SpawnedProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  logs(): LogRecord[];
  output(): { stdout: string; stderr: string };
  waitForLog(match: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
}

/** Starts `node dist/src/main.js` with only `env` as its configuration; does not wait for anything. */
export function spawnMain(env: Record<string, string>): SpawnedProcess {
  const child = spawn(process.execPath, [MAIN], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let partial = '';
  const records: LogRecord[] = [];
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stdout += text;
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        // not a log line (banner text)
      }
    }
    for (const wake of [...waiters]) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A test run that dies must not leave gateways behind.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  void exited.then(() => process.off('exit', onExit));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const wake of [...waiters]) wake();
  });

  function waitForLog(match: (record: LogRecord) => boolean, timeoutMs = 20_000): Promise<LogRecord> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = records.find(match);
        if (found) finish(() => resolve(found));
        else if (gone) finish(() => reject(new Error(`gateway exited (${child.exitCode ?? child.signalCode}) before the awaited log line:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no matching log line within ${timeoutMs} ms:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`))), timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  }
  return { child, exited, logs: () => records, output: () => ({ stdout, stderr }), waitForLog };
}

/**
 * Starts the gateway and resolves once it serves: a single process once it logged `gateway listening`; with
 * `GATEWAY_WORKERS` = n > 1, once the primary announced the port and all n workers logged `gateway listening`.
 */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const spawned = spawnMain({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env });
  const workers = Number(env.GATEWAY_WORKERS ?? '1');
  const servingPids: number[] = [];
  let killed: Promise<void> | undefined;
  const proc: GatewayProcess = {
    child: spawned.child,
    origin: '',
    graphqlUrl: '',
    servingPids,
    logs: spawned.logs,
    output: spawned.output,
    waitForLog: spawned.waitForLog,
    exited: spawned.exited,
    kill: () =>
      (killed ??= (async () => {
        if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill('SIGKILL');
        await spawned.exited;
        // Workers exit when their primary's IPC channel closes; make sure, by pid, that none outlives it.
        for (const pid of servingPids) {
          if (pid === spawned.child.pid) continue;
          for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
          if (alive(pid)) process.kill(pid, 'SIGKILL');
        }
        live.delete(proc);
      })()),
    respawn: async () => {
      await proc.kill();
      return startGatewayProcess(env);
    },
  };
  live.add(proc);
  try {
    if (workers > 1) {
      const primary = await spawned.waitForLog((r) => r.msg === 'gateway workers listening');
      proc.origin = `http://127.0.0.1:${String(primary.port)}`;
      const ids = new Set<number>();
      await spawned.waitForLog((r) => {
        if (r.msg === 'gateway listening' && typeof r.worker === 'number' && typeof r.pid === 'number' && !ids.has(r.worker)) {
          ids.add(r.worker);
          servingPids.push(r.pid);
        }
        return ids.size >= workers;
      });
    } else {
      const listening = await spawned.waitForLog((r) => r.msg === 'gateway listening');
      const url = new URL(String(listening.url));
      proc.origin = url.origin;
      if (spawned.child.pid !== undefined) servingPids.push(spawned.child.pid);
    }
  } catch (error) {
    await proc.kill();
    throw error;
  }
  proc.graphqlUrl = `${proc.origin}/graphql`;
  return proc;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
  /** The `x-request-id` the gateway answered with (matches `requestId` of its `graphql request` log line). */
  requestId?: string;
}

export interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/**
 * One HTTP request on a connection of its own (no keep-alive pool): a killed gateway leaves no pooled
 * socket behind, and with several cluster workers each request is a new connection the primary hands out.
 */
export function httpJson<T>(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<HttpResponse<T>> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        agent: false,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...options.headers,
        },
        timeout: 20_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            const requestId = res.headers['x-request-id'];
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as T, requestId: typeof requestId === 'string' ? requestId : undefined });
          } catch {
            reject(new Error(`${url}: non-JSON response ${res.statusCode}: ${text.slice(0, 300)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no response within 20 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export function graphql<T = Record<string, unknown>>(
  graphqlUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<HttpResponse<GraphQLBody<T>>> {
  return httpJson<GraphQLBody<T>>(graphqlUrl, { body: { query, variables }, headers });
}

/** The session cookie (`sfgw_session` or `__Host-sfgw_session`) of a response, as `name=value` for a Cookie header. */
export function sessionCookie(response: HttpResponse): string {
  const found = (response.headers['set-cookie'] ?? []).find((c) => /^(__Host-)?sfgw_session=[^;]+/.test(c));
  if (!found) throw new Error(`no session cookie in the response: ${JSON.stringify(response.headers['set-cookie'])}`);
  return found.split(';')[0];
}

/** Polls `attempt` until it returns a value other than undefined, or throws after `timeoutMs` with the last problem. */
export async function pollUntil<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms${last ? ` (last error: ${last})` : ''}`);
    await sleep(intervalMs);
  }
}
