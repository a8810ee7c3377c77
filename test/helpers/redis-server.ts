import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A real, throw-away redis-server on a loopback port: tests of the Redis stores run against the real thing. */
export interface RedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL, as a crash) and waits until the process has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port (stopping it first if running); resolves once it answers PING. */
  restart(): Promise<void>;
  /** FLUSHALL: every key gone, as after a failover to an empty replica. */
  flushAll(): Promise<void>;
  /** SIGSTOP: the connection stays open but nothing answers (a hung or overloaded Redis). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

const START_DEADLINE_MS = 10_000;

function findRedisServer(): string {
  const candidates = ['/usr/bin/redis-server', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'redis-server'))];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next one
    }
  }
  throw new Error(
    'redis-server was not found (looked in /usr/bin and on PATH). The Redis store tests need a real Redis: ' +
      'install Debian\'s package with `apt-get install redis-server` (.ci/run does this in CI).',
  );
}

/** A TCP port nothing listens on right now (for a server that must come back on the same port). */
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

/** Sends one inline command over a fresh TCP connection and returns the first reply line. */
function inlineCommand(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply to ${command} within ${timeoutMs} ms`)));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.end();
        resolve(reply.slice(0, end));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection closed before a reply to ${command}`)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RedisServerOptions {
  /**
   * Keep acknowledged writes across a crash (append-only file, fsync on every write, one data directory for
   * all its lives), as a production Redis holding session revocations should. Default: nothing survives a
   * restart, as after a failover to an empty replica.
   */
  durable?: boolean;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = findRedisServer();
  let port = 0;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  // A durable server keeps one directory for all its lives; it goes when the test process ends.
  const durableDir = options.durable ? mkdtempSync(join(tmpdir(), 'redis-durable-')) : undefined;
  // A test run that dies must not leave servers (or data) behind.
  process.once('exit', () => {
    child?.kill('SIGKILL');
    if (durableDir) rmSync(durableDir, { recursive: true, force: true });
  });

  async function start(): Promise<void> {
    let output = '';
    // Its own working directory, removed on exit: nothing lands in the repository even if Redis writes a file.
    const dir = durableDir ?? mkdtempSync(join(tmpdir(), 'redis-test-'));
    const persistence = durableDir ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const proc = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir, '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let gone = false;
    exited = new Promise((resolve) =>
      proc.once('exit', () => {
        gone = true;
        if (!durableDir) rmSync(dir, { recursive: true, force: true });
        resolve();
      }),
    );
    child = proc;
    const deadline = Date.now() + START_DEADLINE_MS;
    for (;;) {
      if (gone) throw new Error(`redis-server exited at start-up (port ${port}):\n${output}`);
      try {
        if ((await inlineCommand(port, 'PING')) === '+PONG') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`redis-server did not answer PING on port ${port} within ${START_DEADLINE_MS} ms:\n${output}`);
      }
      await sleep(20);
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGKILL');
    await exited;
  }

  // Another process may take the free port before redis-server binds it: try a few ports.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async flushAll() {
      const reply = await inlineCommand(port, 'FLUSHALL');
      if (reply !== '+OK') throw new Error(`FLUSHALL answered ${reply}`);
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  };
}
