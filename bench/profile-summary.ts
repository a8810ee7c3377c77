// Summarises a V8 .cpuprofile (from `node --cpu-prof`): busy time by package/file, and the top functions by self
// and by total (inclusive) time. Percentages are of busy time: samples in `(idle)` — the process waiting while
// another bench target is loaded — are left out.
//
//   node dist/bench/profile-summary.js <file.cpuprofile> [--top 25]
//   node dist/bench/profile-summary.js <file.cpuprofile> --callers <functionName> [--depth 8]   (who spends it)
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { table } from './stats';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Which package or part of the project a frame belongs to. */
export function groupOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName) && frame.url === '') return frame.functionName;
  const url = frame.url;
  if (url === '') return '(native/V8)';
  if (url.startsWith('node:internal/deps/')) return `node:${url.slice('node:internal/deps/'.length).split('/')[0]}`;
  if (url.startsWith('node:internal/')) return `node:internal/${url.slice('node:internal/'.length).split('/')[0].replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) {
    // Our own compiled code: dist/src/remote/x.js -> src/remote/x.js
    return url.slice(dist + '/dist/'.length);
  }
  return basename(url);
}

function location(frame: CallFrame): string {
  const group = groupOf(frame);
  if (frame.url === '' || SPECIAL.has(frame.functionName)) return group;
  const file = frame.url.includes('/node_modules/') ? frame.url.slice(frame.url.lastIndexOf('/node_modules/') + 14) : group;
  return `${file}:${frame.lineNumber + 1}`;
}

function functionKey(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${location(frame)}`;
}

export interface Summary {
  totalMs: number;
  busyMs: number;
  byGroup: Array<{ name: string; selfMs: number }>;
  bySelf: Array<{ name: string; selfMs: number; totalMs: number }>;
  byTotal: Array<{ name: string; selfMs: number; totalMs: number }>;
}

export function summarise(profile: CpuProfile): Summary {
  const nodes = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    nodes.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfByFn = new Map<string, number>();
  const totalByFn = new Map<string, number>();
  const selfByGroup = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  const add = (map: Map<string, number>, key: string, us: number): void => void map.set(key, (map.get(key) ?? 0) + us);

  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i] ?? 0;
    const node = nodes.get(profile.samples[i]);
    if (!node || us <= 0) continue;
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    add(selfByFn, functionKey(node.callFrame), us);
    add(selfByGroup, groupOf(node.callFrame), us);
    // Inclusive time: once per distinct function on the stack (recursion is not double-counted).
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = nodes.get(id)!.callFrame;
      if (frame.functionName === '(root)') continue;
      const key = functionKey(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      add(totalByFn, key, us);
    }
  }
  const ms = (us: number): number => us / 1000;
  const fns = [...totalByFn.keys()].map((name) => ({ name, selfMs: ms(selfByFn.get(name) ?? 0), totalMs: ms(totalByFn.get(name) ?? 0) }));
  return {
    totalMs: ms(totalUs),
    busyMs: ms(totalUs - idleUs),
    byGroup: [...selfByGroup].map(([name, us]) => ({ name, selfMs: ms(us) })).sort((a, b) => b.selfMs - a.selfMs),
    bySelf: [...fns].sort((a, b) => b.selfMs - a.selfMs),
    byTotal: [...fns].sort((a, b) => b.totalMs - a.totalMs),
  };
}

/** Self time of functions whose name matches, split by their caller chain (`depth` frames up). */
export function callers(profile: CpuProfile, fnName: string, depth: number): Array<{ chain: string; ms: number }> {
  const nodes = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    nodes.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const byChain = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]);
    if (!node || node.callFrame.functionName !== fnName) continue;
    const chain: string[] = [];
    for (let id = parent.get(node.id); id !== undefined && chain.length < depth; id = parent.get(id)) {
      const frame = nodes.get(id)!.callFrame;
      if (frame.functionName === '(root)') break;
      chain.push(functionKey(frame));
    }
    const key = chain.join('\n    <- ');
    byChain.set(key, (byChain.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  return [...byChain].map(([chain, ms]) => ({ chain, ms })).sort((a, b) => b.ms - a.ms);
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [--top 25]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const callersIndex = args.indexOf('--callers');
  if (callersIndex >= 0) {
    const fnName = args[callersIndex + 1];
    const depthIndex = args.indexOf('--depth');
    for (const { chain, ms } of callers(profile, fnName, depthIndex >= 0 ? Number(args[depthIndex + 1]) : 8).slice(0, 8)) {
      process.stdout.write(`${ms.toFixed(0)} ms  ${fnName}\n    <- ${chain}\n\n`);
    }
    return;
  }
  const s = summarise(profile);
  const pct = (v: number): string => `${((100 * v) / s.busyMs).toFixed(1)}%`;
  const cut = (name: string): string => (name.length > 110 ? name.slice(0, 107) + '...' : name);
  process.stdout.write(`${file}\nsampled ${(s.totalMs / 1000).toFixed(1)} s, busy ${(s.busyMs / 1000).toFixed(1)} s (percentages are of busy time)\n\n`);
  process.stdout.write('self time by package / file\n');
  process.stdout.write(table(['package / file', 'self ms', 'self %'], s.byGroup.slice(0, top).map((g) => [g.name, g.selfMs.toFixed(0), pct(g.selfMs)])) + '\n\n');
  process.stdout.write(`top ${top} functions by self time\n`);
  process.stdout.write(
    table(['function  location', 'self ms', 'self %', 'total %'], s.bySelf.slice(0, top).map((f) => [cut(f.name), f.selfMs.toFixed(0), pct(f.selfMs), pct(f.totalMs)])) + '\n\n',
  );
  process.stdout.write(`top ${top} functions by total (inclusive) time\n`);
  process.stdout.write(
    table(['function  location', 'total ms', 'total %', 'self %'], s.byTotal.slice(0, top).map((f) => [cut(f.name), f.totalMs.toFixed(0), pct(f.totalMs), pct(f.selfMs)])) + '\n',
  );
}

if (require.main === module) {
  // `| head` closes the pipe early: not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  main();
}
