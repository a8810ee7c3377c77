// Scenario w: the gateway exactly as shipped (`node dist/src/main.js`, real-store mode pointed at the bench's sandbox
// process) with GATEWAY_WORKERS=1 and =2, both on one redis-server (each with its own key prefix). Linux /proc
// gives the worker processes and their CPU time, so a run can show that the load reached every worker.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Child } from './processes';

export interface GatewayMainOptions {
  name: string;
  /** dist/src/main.js */
  mainJs: string;
  port: number;
  workers: number;
  env: Record<string, string>;
}

/** Starts main.js; readiness is the caller's business (poll the port, then `waitForWorkers`). Its log lines are printed with a prefix. */
export function startGatewayMain(options: GatewayMainOptions): Child<{ url: string; workers: number }> {
  const proc = spawn(process.execPath, [options.mainJs], {
    env: { ...process.env, ...options.env, GATEWAY_WORKERS: String(options.workers), PORT: String(options.port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => process.stdout.write(`[${options.name}] ${line}\n`));
  return { name: options.name, proc, info: { url: `http://127.0.0.1:${options.port}/graphql`, workers: options.workers } };
}

/** Direct children of `pid` (Linux; empty elsewhere). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The processes that serve requests: the cluster workers of a primary, or the process itself. */
export function servingPids(child: Child<{ workers: number }>): number[] {
  const pid = child.proc.pid;
  if (pid === undefined) return [];
  return child.info.workers > 1 ? childPids(pid) : [pid];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once the primary has as many worker processes as configured (no-op for a single process or without /proc). */
export async function waitForWorkers(child: Child<{ workers: number }>, timeoutMs: number): Promise<void> {
  if (child.info.workers <= 1 || child.proc.pid === undefined) return;
  const deadline = Date.now() + timeoutMs;
  while (childPids(child.proc.pid).length < child.info.workers) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited with code ${child.proc.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${child.name}: ${child.info.workers} workers not running after ${timeoutMs} ms`);
    await sleep(100);
  }
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(out.stdout?.trim());
    clockTicks = Number.isFinite(value) && value > 0 ? value : 100;
  }
  return clockTicks;
}

/** User + system CPU seconds of a process so far (Linux /proc/<pid>/stat); undefined when unreadable. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is the first, utime the 12th, stime the 13th (proc(5): fields 14 and 15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}
