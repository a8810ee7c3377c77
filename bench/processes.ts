// Child processes of the bench: our sandbox and gateway wrappers (which announce themselves with a READY line)
// and Hive Gateway (installed on demand into bench/.cache, never into the project's dependency tree).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { READY_PREFIX } from './child-protocol';

/** Pinned: the comparison must be reproducible. `npm view @graphql-hive/gateway version` gave 2.15.1 when written. */
export const HIVE_GATEWAY_VERSION = '2.15.1';

export interface Child<T> {
  name: string;
  proc: ChildProcess;
  info: T;
}

/** Installs Hive Gateway into `<cacheDir>/hive` unless the pinned version is already there; returns its CLI path. */
export function ensureHiveGateway(cacheDir: string): string {
  const dir = join(cacheDir, 'hive');
  const pkg = join(dir, 'node_modules', '@graphql-hive', 'gateway', 'package.json');
  const installed = existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version : undefined;
  if (installed !== HIVE_GATEWAY_VERSION) {
    mkdirSync(dir, { recursive: true });
    // Its own package.json, so npm never walks up into the project's.
    if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "name": "bench-hive-gateway", "private": true }\n');
    process.stdout.write(`installing @graphql-hive/gateway@${HIVE_GATEWAY_VERSION} into ${dir} ...\n`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['install', '--prefix', dir, '--no-audit', '--no-fund', '--save-exact', `@graphql-hive/gateway@${HIVE_GATEWAY_VERSION}`], {
      stdio: 'inherit',
    });
    if (result.status !== 0) throw new Error(`npm install @graphql-hive/gateway@${HIVE_GATEWAY_VERSION} failed (exit ${result.status})`);
  }
  return join(dir, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node <nodeArgs> <script>` and resolves with the JSON of its READY line. */
export function startAnnouncingChild<T>(name: string, script: string, nodeArgs: string[], env: NodeJS.ProcessEnv): Promise<Child<T>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: proc.stdout! });
    const onExit = (code: number | null): void => reject(new Error(`${name} exited (code ${code}) before it was ready`));
    proc.once('exit', onExit);
    lines.on('line', (line) => {
      if (!line.startsWith(READY_PREFIX)) {
        process.stdout.write(`[${name}] ${line}\n`);
        return;
      }
      proc.off('exit', onExit);
      resolve({ name, proc, info: JSON.parse(line.slice(READY_PREFIX.length)) as T });
    });
  });
}

/** Starts a process whose output goes to `logFile`; readiness is the caller's business. */
export function startLoggingChild(name: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): Child<undefined> {
  const log = createWriteStream(options.logFile);
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.pipe(log);
  proc.stderr!.pipe(log);
  return { name, proc, info: undefined };
}

/** SIGTERM, then SIGKILL if it does not exit in time (the wrappers exit cleanly so --cpu-prof can write). */
export function stopChild(child: Child<unknown>, timeoutMs = 5000): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (proc.exitCode === null && proc.pid !== undefined) proc.kill('SIGKILL');
    }, timeoutMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}
