// `npm run bench`: our gateway vs Hive Gateway (proxy mode) vs the sandbox upstream alone, on loopback with
// autocannon. Each server runs in its own process; autocannon runs here. Per scenario: verify every target
// answers correctly, warm each up, then alternate the targets round by round (order reversed every other round)
// so machine drift cancels, and report medians over the rounds. See bench/README.md.
// Scenario w ("workers") compares the shipped entry point with 1 and with 2 worker processes on Redis.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import autocannon from 'autocannon';
import type { SandboxIdentity } from '../sandbox';
import { ensureHiveGateway, freePort, HIVE_GATEWAY_VERSION, startAnnouncingChild, startLoggingChild, stopChild, type Child } from './processes';
import type { Counters } from './child-protocol';
import { median, round, table } from './stats';
import { projectRoot } from '../src/project-root';
import { startRedisServer, type RedisServer } from '../test/helpers/redis-server';
import { cpuSeconds, servingPids, startGatewayMain, waitForWorkers } from './workers';

// ---------------------------------------------------------------------------------------------- settings

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return value;
}

type ScenarioId = 'a' | 'b' | 'c' | 'w';
type TargetName = 'gateway' | 'direct' | 'hive' | 'gateway_1_worker' | 'gateway_2_workers';
const SCENARIO_IDS: readonly ScenarioId[] = ['a', 'b', 'c', 'w'];
/** The targets each summary reports (absent ones as null), in the order of its table. */
const CLASSIC_TARGETS: readonly TargetName[] = ['gateway', 'direct', 'hive'];
const WORKER_TARGETS: readonly TargetName[] = ['gateway_1_worker', 'gateway_2_workers'];
const targetNames = (id: ScenarioId): readonly TargetName[] => (id === 'w' ? WORKER_TARGETS : CLASSIC_TARGETS);

function scenarioIds(raw: string): ScenarioId[] {
  const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !(SCENARIO_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown scenario ${unknown.join(', ')} (known: ${SCENARIO_IDS.join(', ')})`);
  return ids as ScenarioId[];
}

const SETTINGS = {
  durationS: envNumber('BENCH_DURATION_S', 10),
  warmupS: envNumber('BENCH_WARMUP_S', 5),
  rounds: Math.round(envNumber('BENCH_ROUNDS', 3)),
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 10)),
  scenarios: scenarioIds(process.env.BENCH_SCENARIOS ?? SCENARIO_IDS.join(',')),
  /** `gateway`, `hive` or both (comma-separated): run those processes under `node --cpu-prof`. */
  cpuProf: (process.env.BENCH_CPU_PROF ?? '').split(',').map((s) => s.trim()).filter(Boolean),
};

// Compiled to dist/bench/run.js; the sources live in <root>/bench.
const ROOT = projectRoot();
const CACHE = join(ROOT, 'bench', '.cache');
const OUTPUT = resolve(ROOT, process.env.BENCH_OUTPUT ?? join('bench', 'results', 'latest.json'));
const PROFILE_DIR = join(CACHE, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));

// ---------------------------------------------------------------------------------------------- operations

const CATALOG_10 = '{ site { products(first: 10) { edges { node { entityId name prices { price { value currencyCode } salePrice { value } } } } } } }';
const PRICING_20 =
  '{ site { products(first: 20) { edges { node { entityId pricing { calculatedPrice { taxInclusive } priceRange { minimum { taxInclusive } } } } } } } }';
const WHOLESALE = { email: 'wholesale@example.com', password: 'Wholesale1!', customerId: 2 };

interface Target {
  name: TargetName;
  url: string;
  headers: Record<string, string>;
  /** Scenario w: the processes that serve this target (its workers), whose CPU time each run records. */
  servingPids?: () => number[];
}

interface Scenario {
  id: ScenarioId;
  title: string;
  query: string;
  expectedProducts: number;
  targets: Target[];
}

// ---------------------------------------------------------------------------------------------- HTTP helpers

interface GraphQLBody {
  data?: { site?: { products?: { edges?: Array<{ node: Record<string, unknown> }> } } } & Record<string, unknown>;
  errors?: Array<{ message: string }>;
}

async function postGraphQL(url: string, query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<{ status: number; body: GraphQLBody }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as GraphQLBody };
  } catch {
    throw new Error(`${url}: non-JSON response ${response.status}: ${text.slice(0, 200)}`);
  }
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function createImpersonationToken(sandboxUrl: string, identity: SandboxIdentity): Promise<string> {
  const response = await fetch(`${sandboxUrl}/stores/${identity.storeHash}/v3/storefront/api-token-customer-impersonation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-auth-token': identity.accessToken },
    body: JSON.stringify({ channel_id: identity.channelId, expires_at: Math.floor(Date.now() / 1000) + 86_400 }),
  });
  const body = (await response.json()) as { data?: { token?: string } };
  if (!response.ok || !body.data?.token) throw new Error(`impersonation token: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.data.token;
}

async function loginToGateway(graphqlUrl: string): Promise<string> {
  const { body } = await postGraphQL(
    graphqlUrl,
    'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { result sessionToken } }',
    {},
    { email: WHOLESALE.email, password: WHOLESALE.password },
  );
  const token = (body.data?.login as { sessionToken?: string } | undefined)?.sessionToken;
  if (!token) throw new Error(`gateway login failed: ${JSON.stringify(body.errors ?? body)}`);
  return token;
}

async function waitForGraphQL(target: Target, query: string, timeoutMs: number, child: Child<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited with code ${child.proc.exitCode}`);
    try {
      const { status, body } = await postGraphQL(target.url, query, target.headers);
      if (status === 200 && body.data && !body.errors) return;
      last = `HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(`${target.name} not ready after ${timeoutMs} ms: ${last}`);
}

// ---------------------------------------------------------------------------------------------- verification

/** The target answers the scenario's query with data of the right shape and no errors; returns the data. */
async function verify(scenario: Scenario, target: Target): Promise<string> {
  const { status, body } = await postGraphQL(target.url, scenario.query, target.headers);
  const where = `scenario ${scenario.id}, ${target.name}`;
  if (status !== 200) throw new Error(`${where}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
  if (body.errors?.length) throw new Error(`${where}: errors ${JSON.stringify(body.errors).slice(0, 300)}`);
  const edges = body.data?.site?.products?.edges;
  if (!edges || edges.length !== scenario.expectedProducts) throw new Error(`${where}: expected ${scenario.expectedProducts} products, got ${edges?.length}`);
  for (const { node } of edges) {
    if (typeof node.entityId !== 'number') throw new Error(`${where}: product without entityId`);
    if (scenario.id === 'c') {
      const pricing = node.pricing as { calculatedPrice?: { taxInclusive?: unknown } } | null;
      if (typeof pricing?.calculatedPrice?.taxInclusive !== 'number') throw new Error(`${where}: product ${node.entityId} without pricing`);
    } else {
      const prices = node.prices as { price?: { value?: unknown } } | null;
      if (typeof prices?.price?.value !== 'number') throw new Error(`${where}: product ${node.entityId} without prices`);
    }
  }
  return JSON.stringify(body.data);
}

/** What a response must look like to count as a success during load (cheap: runs in the load generator). */
function looksSuccessful(body: string): boolean {
  return body.includes('"edges":[{"node"') && !body.includes('"errors"');
}

// ---------------------------------------------------------------------------------------------- load

interface Run {
  round: number;
  target: TargetName;
  rps: number;
  p50: number;
  p99: number;
  completed: number;
  non2xx: number;
  mismatches: number;
  errors: number;
  timeouts: number;
  /** Scenario c (and informative for a/b): upstream requests per gateway request during this run. */
  upstream?: { restPricingPerRequest: number; storefrontGraphqlPerRequest: number };
  /** Scenario w: CPU seconds each serving process used during this run (shows that the load reached every worker). */
  workerCpuSeconds?: number[];
}

function cannon(target: Target, query: string, durationS: number): Promise<autocannon.Result> {
  return new Promise((resolvePromise, reject) => {
    autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...target.headers },
        body: JSON.stringify({ query }),
        connections: SETTINGS.connections,
        duration: durationS,
        timeout: 10,
        verifyBody: looksSuccessful,
      },
      (err, result) => (err ? reject(err) : resolvePromise(result)),
    );
  });
}

interface StatsSources {
  sandboxStatsUrl: string;
  gatewayStatsUrl: string;
  pricingRoute: string;
}

async function upstreamSnapshot(sources: StatsSources): Promise<{ gatewayRequests: number; pricing: number; storefront: number }> {
  const [sandbox, gateway] = await Promise.all([getJson<Counters>(sources.sandboxStatsUrl), getJson<Counters>(sources.gatewayStatsUrl)]);
  return {
    gatewayRequests: gateway.byRoute['POST /graphql'] ?? 0,
    pricing: sandbox.byRoute[sources.pricingRoute] ?? 0,
    storefront: sandbox.byRoute['POST /graphql'] ?? 0,
  };
}

async function measure(scenario: Scenario, target: Target, roundNo: number, sources: StatsSources): Promise<Run> {
  // Requests abandoned when the previous run stopped may still be making upstream calls: let them finish first.
  await sleep(300);
  const before = target.name === 'gateway' ? await upstreamSnapshot(sources) : undefined;
  const pids = target.servingPids?.() ?? [];
  const cpuBefore = pids.map(cpuSeconds);
  const result = await cannon(target, scenario.query, SETTINGS.durationS);
  const cpuAfter = pids.map(cpuSeconds);
  let upstream: Run['upstream'];
  if (before) {
    // Let in-flight requests finish, so both counters cover the same requests.
    await sleep(300);
    const after = await upstreamSnapshot(sources);
    const requests = after.gatewayRequests - before.gatewayRequests;
    upstream = {
      restPricingPerRequest: round((after.pricing - before.pricing) / requests, 4),
      storefrontGraphqlPerRequest: round((after.storefront - before.storefront) / requests, 4),
    };
  }
  return {
    round: roundNo,
    target: target.name,
    rps: round(result.requests.average, 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    completed: result.requests.total,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    errors: result.errors,
    timeouts: result.timeouts,
    upstream,
    workerCpuSeconds: target.servingPids ? cpuDeltas(cpuBefore, cpuAfter) : undefined,
  };
}

function cpuDeltas(before: Array<number | undefined>, after: Array<number | undefined>): number[] | undefined {
  const deltas: number[] = [];
  for (let i = 0; i < before.length; i++) {
    const [b, a] = [before[i], after[i]];
    if (b === undefined || a === undefined) return undefined;
    deltas.push(round(a - b, 2));
  }
  return deltas.length > 0 ? deltas : undefined;
}

type ByTarget = Partial<Record<TargetName, number | null>>;

interface ScenarioSummary {
  title: string;
  query: string;
  rps: ByTarget;
  p50_ms: ByTarget;
  p99_ms: ByTarget;
  ratio_vs_direct: number | null;
  ratio_vs_hive: number | null;
  /** Scenario w: req/s with 2 workers over req/s with 1 (median of per-round ratios). */
  ratio_2_workers_vs_1?: number | null;
  rest_calls_per_request?: number;
  storefront_calls_per_request?: number;
  failed_responses: ByTarget;
  runs: Run[];
}

async function runScenario(scenario: Scenario, sources: StatsSources): Promise<ScenarioSummary> {
  process.stdout.write(`\nscenario ${scenario.id}: ${scenario.title}\n`);
  const data = new Map<TargetName, string>();
  for (const target of scenario.targets) data.set(target.name, await verify(scenario, target));
  // The first target (our gateway, or its 1-worker variant) is the reference.
  const reference = data.get(scenario.targets[0].name);
  for (const [name, value] of data) {
    if (value !== reference) throw new Error(`scenario ${scenario.id}: ${name} answers differently from ${scenario.targets[0].name}:\n${value.slice(0, 300)}\n${reference?.slice(0, 300)}`);
  }
  process.stdout.write(`  verified: ${scenario.targets.map((t) => t.name).join(', ')} answer identically\n`);

  for (const target of scenario.targets) {
    process.stdout.write(`  warm-up ${target.name} (${SETTINGS.warmupS}s)\n`);
    await cannon(target, scenario.query, SETTINGS.warmupS);
  }

  const runs: Run[] = [];
  for (let r = 0; r < SETTINGS.rounds; r++) {
    const order = r % 2 === 0 ? scenario.targets : [...scenario.targets].reverse();
    for (const target of order) {
      const run = await measure(scenario, target, r + 1, sources);
      runs.push(run);
      const failed = run.non2xx + run.mismatches + run.errors + run.timeouts;
      const upstream = run.upstream ? `  rest/req ${run.upstream.restPricingPerRequest}  storefront/req ${run.upstream.storefrontGraphqlPerRequest}` : '';
      const cpu = run.workerCpuSeconds ? `  cpu s/worker ${run.workerCpuSeconds.join(' / ')}` : '';
      process.stdout.write(
        `  round ${r + 1} ${target.name.padEnd(7)} ${String(run.rps).padStart(8)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  failed ${failed}${upstream}${cpu}\n`,
      );
      assertEveryWorkerServed(scenario, target, run);
    }
  }
  return summarise(scenario, runs);
}

/**
 * Scenario w: a worker that used (almost) no CPU during a run means the load did not reach it, and the run does not
 * measure what it claims. Below a tenth of the busiest worker's CPU time counts as not reached.
 */
function assertEveryWorkerServed(scenario: Scenario, target: Target, run: Run): void {
  const cpu = run.workerCpuSeconds;
  if (scenario.id !== 'w' || !cpu || cpu.length < 2) return;
  const busiest = Math.max(...cpu);
  if (cpu.some((seconds) => seconds < busiest / 10)) throw new Error(`scenario w, ${target.name}: the load did not reach every worker (CPU seconds ${cpu.join(', ')})`);
}

function summarise(scenario: Scenario, runs: Run[]): ScenarioSummary {
  const names = targetNames(scenario.id);
  const has = (name: TargetName): boolean => scenario.targets.some((t) => t.name === name);
  const pick = (name: TargetName, f: (run: Run) => number): number | null => (has(name) ? round(median(runs.filter((r) => r.target === name).map(f)), 2) : null);
  const byTarget = (f: (run: Run) => number): ByTarget => Object.fromEntries(names.map((n) => [n, pick(n, f)])) as ByTarget;
  // Ratios per round (the targets of one round ran back to back), then the median over rounds.
  const ratioOf = (numerator: TargetName, denominator: TargetName): number | null => {
    if (!has(numerator) || !has(denominator)) return null;
    const perRound: number[] = [];
    for (let r = 1; r <= SETTINGS.rounds; r++) {
      const g = runs.find((x) => x.round === r && x.target === numerator);
      const o = runs.find((x) => x.round === r && x.target === denominator);
      if (g && o && o.rps > 0) perRound.push(g.rps / o.rps);
    }
    return round(median(perRound), 3);
  };
  const ratio = (other: TargetName): number | null => ratioOf('gateway', other);
  const gatewayRuns = runs.filter((r) => r.target === 'gateway' && r.upstream);
  const summary: ScenarioSummary = {
    title: scenario.title,
    query: scenario.query,
    rps: byTarget((r) => r.rps),
    p50_ms: byTarget((r) => r.p50),
    p99_ms: byTarget((r) => r.p99),
    ratio_vs_direct: ratio('direct'),
    ratio_vs_hive: ratio('hive'),
    failed_responses: Object.fromEntries(
      names.map((n) => [n, has(n) ? runs.filter((r) => r.target === n).reduce((s, r) => s + r.non2xx + r.mismatches + r.errors + r.timeouts, 0) : null]),
    ) as ByTarget,
    runs,
  };
  if (scenario.id === 'w') summary.ratio_2_workers_vs_1 = ratioOf('gateway_2_workers', 'gateway_1_worker');
  if (gatewayRuns.length > 0) {
    summary.storefront_calls_per_request = round(median(gatewayRuns.map((r) => r.upstream!.storefrontGraphqlPerRequest)), 4);
    if (scenario.id === 'c') summary.rest_calls_per_request = round(median(gatewayRuns.map((r) => r.upstream!.restPricingPerRequest)), 4);
  }
  return summary;
}

const TARGET_LABELS: Record<TargetName, string> = {
  gateway: 'our gateway',
  hive: 'hive gateway',
  direct: 'direct upstream',
  gateway_1_worker: 'our gateway, 1 worker',
  gateway_2_workers: 'our gateway, 2 workers',
};

function printSummary(id: ScenarioId, s: ScenarioSummary): void {
  const names: TargetName[] = id === 'w' ? [...WORKER_TARGETS] : ['gateway', 'hive', 'direct'];
  const fmt = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined ? '-' : v.toFixed(digits));
  const rows = names
    .filter((n) => s.rps[n] !== null && s.rps[n] !== undefined)
    .map((n) => [TARGET_LABELS[n], fmt(s.rps[n]), fmt(s.p50_ms[n], 1), fmt(s.p99_ms[n], 1), fmt(s.failed_responses[n])]);
  process.stdout.write(`\n=== scenario ${id}: ${s.title} (medians of ${SETTINGS.rounds} rounds × ${SETTINGS.durationS}s, ${SETTINGS.connections} connections)\n`);
  process.stdout.write(table(['target', 'req/s', 'p50 ms', 'p99 ms', 'failed'], rows) + '\n');
  if (s.ratio_vs_direct !== null) process.stdout.write(`gateway / direct upstream: ${s.ratio_vs_direct.toFixed(3)}×\n`);
  if (s.ratio_vs_hive !== null) process.stdout.write(`gateway / hive gateway:    ${s.ratio_vs_hive.toFixed(3)}×\n`);
  if (s.ratio_2_workers_vs_1 !== undefined && s.ratio_2_workers_vs_1 !== null) process.stdout.write(`2 workers / 1 worker:      ${s.ratio_2_workers_vs_1.toFixed(3)}×\n`);
  if (s.rest_calls_per_request !== undefined) process.stdout.write(`REST pricing calls per request: ${s.rest_calls_per_request}\n`);
  if (s.storefront_calls_per_request !== undefined) process.stdout.write(`storefront GraphQL calls per request: ${s.storefront_calls_per_request}\n`);
}

// ---------------------------------------------------------------------------------------------- main

interface SandboxInfo {
  url: string;
  identity: SandboxIdentity;
  statsUrl: string;
}
interface GatewayInfo {
  url: string;
  statsUrl: string;
}

const SESSION_SECRET = 'bench-session-secret-0123456789-abcdefghijklmn';

/**
 * Scenario w: main.js with 1 and with 2 workers, both on `redis` (each its own key prefix), in real-store mode against
 * the bench's sandbox, logging at BENCH_GATEWAY_LOG_LEVEL (warn) like the in-process gateway of a/b/c.
 */
async function startWorkerTargets(sandbox: SandboxInfo, token: string, redis: RedisServer, children: Child<unknown>[]): Promise<Target[]> {
  const mainJs = join(__dirname, '..', 'src', 'main.js');
  const { identity, url } = sandbox;
  const env = (prefix: string): Record<string, string> => ({
    BC_STOREFRONT_URL: `${url}/graphql`,
    BC_STORE_URL: url,
    BC_API_URL: url,
    BC_STORE_HASH: identity.storeHash,
    BC_CHANNEL_ID: String(identity.channelId),
    BC_ACCESS_TOKEN: identity.accessToken,
    BC_CLIENT_ID: identity.clientId,
    BC_CLIENT_SECRET: identity.clientSecret,
    BC_STOREFRONT_TOKEN: token,
    GATEWAY_SESSION_SECRET: SESSION_SECRET,
    GATEWAY_SCHEMA_REFRESH_SECONDS: '0',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'warn',
  });
  const variants: Array<{ name: TargetName; workers: number }> = [
    { name: 'gateway_1_worker', workers: 1 },
    { name: 'gateway_2_workers', workers: 2 },
  ];
  const started = await Promise.all(
    variants.map(async ({ name, workers }) => {
      const child = startGatewayMain({ name, mainJs, port: await freePort(), workers, env: env(`bench-${name}:`) });
      children.push(child);
      return { name, child };
    }),
  );
  return Promise.all(
    started.map(async ({ name, child }) => {
      const target: Target = { name, url: child.info.url, headers: {}, servingPids: () => servingPids(child) };
      await waitForGraphQL(target, '{ __typename }', 60_000, child);
      await waitForWorkers(child, 60_000);
      return target;
    }),
  );
}

async function main(): Promise<void> {
  const children: Child<unknown>[] = [];
  let redis: RedisServer | undefined;
  const stopAll = async (): Promise<void> => {
    await Promise.all(children.splice(0).map((c) => stopChild(c)));
    await redis?.stop();
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  // a, b and c need our in-process gateway and Hive Gateway; w needs neither (and no Hive installation).
  const classic = SETTINGS.scenarios.some((id) => id !== 'w');
  try {
    const profArgs = (name: string): string[] =>
      SETTINGS.cpuProf.includes(name) ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`] : [];
    if (SETTINGS.cpuProf.length > 0) mkdirSync(PROFILE_DIR, { recursive: true });

    const sandbox = await startAnnouncingChild<SandboxInfo>('sandbox', join(__dirname, 'serve-sandbox.js'), [], {});
    children.push(sandbox);
    const token = await createImpersonationToken(sandbox.info.url, sandbox.info.identity);
    const sources: StatsSources = {
      sandboxStatsUrl: sandbox.info.statsUrl,
      gatewayStatsUrl: '',
      pricingRoute: `POST /stores/${sandbox.info.identity.storeHash}/v3/pricing/products`,
    };

    const scenarios: Partial<Record<ScenarioId, Scenario>> = {};
    if (classic) {
      const hiveBin = ensureHiveGateway(CACHE);
      const gateway = await startAnnouncingChild<GatewayInfo>('gateway', join(__dirname, 'serve-gateway.js'), profArgs('gateway'), {
        BENCH_SANDBOX: JSON.stringify({ url: sandbox.info.url, identity: sandbox.info.identity }),
      });
      children.push(gateway);
      sources.gatewayStatsUrl = gateway.info.statsUrl;

      const hivePort = await freePort();
      const hiveLog = join(CACHE, 'hive-gateway.log');
      const hive = startLoggingChild('hive', [...profArgs('hive'), hiveBin, 'proxy', '--config-path', join(ROOT, 'bench', 'hive-gateway.config.mjs'), '--host', '127.0.0.1', '--port', String(hivePort)], {
        env: { HIVE_BENCH_UPSTREAM: `${sandbox.info.url}/graphql`, HIVE_BENCH_TOKEN: token },
        cwd: join(CACHE, 'hive'),
        logFile: hiveLog,
      });
      children.push(hive);

      const gatewayGraphql = `${gateway.info.url}/graphql`;
      const sessionToken = await loginToGateway(gatewayGraphql);
      const guest = { authorization: `Bearer ${token}` };
      const wholesale = { authorization: `Bearer ${token}`, 'x-bc-customer-id': String(WHOLESALE.customerId) };
      const hiveUrl = `http://127.0.0.1:${hivePort}/graphql`;
      await waitForGraphQL({ name: 'hive', url: hiveUrl, headers: guest }, '{ __typename }', 60_000, hive).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)} (log: ${hiveLog})`);
      });

      scenarios.a = {
        id: 'a',
        title: 'catalog, 10 products with prices, guest',
        query: CATALOG_10,
        expectedProducts: 10,
        targets: [
          { name: 'gateway', url: gatewayGraphql, headers: {} },
          { name: 'hive', url: hiveUrl, headers: guest },
          { name: 'direct', url: `${sandbox.info.url}/graphql`, headers: guest },
        ],
      };
      scenarios.b = {
        id: 'b',
        title: 'catalog, 10 products with prices, logged-in wholesale shopper',
        query: CATALOG_10,
        expectedProducts: 10,
        targets: [
          { name: 'gateway', url: gatewayGraphql, headers: { authorization: `Bearer ${sessionToken}` } },
          { name: 'hive', url: hiveUrl, headers: wholesale },
          { name: 'direct', url: `${sandbox.info.url}/graphql`, headers: wholesale },
        ],
      };
      scenarios.c = {
        id: 'c',
        title: '20 products with REST pricing, guest, our gateway only',
        query: PRICING_20,
        expectedProducts: 20,
        targets: [{ name: 'gateway', url: gatewayGraphql, headers: {} }],
      };

      // Guest and wholesale must differ, or scenario b would not exercise the shopper's identity.
      const guestData = await verify(scenarios.a, scenarios.a.targets[0]);
      for (const target of scenarios.b.targets) {
        if ((await verify(scenarios.b, target)) === guestData) throw new Error(`${target.name}: wholesale prices equal guest prices; identity not forwarded`);
      }
    }

    if (SETTINGS.scenarios.includes('w')) {
      redis = await startRedisServer();
      scenarios.w = {
        id: 'w',
        title: "scenario a's query (10 products, guest), our gateway with 1 worker vs 2 workers on Redis",
        query: CATALOG_10,
        expectedProducts: 10,
        targets: await startWorkerTargets(sandbox.info, token, redis, children),
      };
    }

    const started = new Date();
    const loadBefore = loadavg().map((v) => round(v, 2));
    const results: Partial<Record<ScenarioId, ScenarioSummary>> = {};
    for (const id of SETTINGS.scenarios) results[id] = await runScenario(scenarios[id]!, sources);

    const cpu = cpus();
    const report = {
      ...results,
      meta: {
        date: started.toISOString(),
        finished: new Date().toISOString(),
        machine: { cores: cpu.length, cpu_model: cpu[0]?.model ?? 'unknown', memory_gb: round(totalmem() / 2 ** 30, 1), platform: `${platform()} ${release()}` },
        /** 1/5/15-min load averages: other work on the machine shows up here. */
        load_average: { before: loadBefore, after: loadavg().map((v) => round(v, 2)) },
        node: process.version,
        hive_gateway: classic
          ? `@graphql-hive/gateway@${HIVE_GATEWAY_VERSION} (proxy mode, bench/hive-gateway.config.mjs, upstream in-flight dedup ${process.env.HIVE_BENCH_DEDUPE === '1' ? 'on' : 'off'})`
          : 'not run',
        settings: SETTINGS,
        command: 'npm run bench',
        notes:
          'rps/p50/p99 are medians over alternated rounds; ratios are medians of per-round ratios. Each server runs in its own process; autocannon runs in the bench process on the same machine.' +
          (SETTINGS.scenarios.includes('w')
            ? ' Scenario w runs node dist/src/main.js (real-store mode against the bench sandbox, Redis shared state) with GATEWAY_WORKERS=1 and =2; workerCpuSeconds per run are the CPU seconds each serving process used (Linux /proc).'
            : ''),
      },
    };
    for (const id of SETTINGS.scenarios) printSummary(id, results[id]!);
    mkdirSync(dirname(OUTPUT), { recursive: true });
    writeFileSync(OUTPUT, JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(`\nwrote ${OUTPUT}\n`);
  } finally {
    await stopAll();
    if (SETTINGS.cpuProf.length > 0) process.stdout.write(`cpu profiles in ${PROFILE_DIR}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
