// `npm run bench`: our gateway vs Hive Gateway (proxy mode) vs the sandbox upstream alone, on loopback with
// autocannon. Each server runs in its own process; autocannon runs here. Per scenario: verify every target
// answers correctly, warm each up, then alternate the targets round by round (order reversed every other round)
// so machine drift cancels, and report medians over the rounds. See bench/README.md.
// Scenario w ("workers") compares the shipped entry point with 1 and with 2 worker processes on Redis.
// Scenario v: (a)'s query alone and beside a stream of documents the selection limits refuse (validation-cost attack).
// Scenario d: (a)'s query with the response cache on, vs the upstream alone (and Hive).
// Scenario e: a slow upstream (a second sandbox with BENCH_SLOW_LATENCY_MS added per request), our gateway with the
// cache on vs off, (a)'s and (b)'s requests, and the upstream storefront requests per 1,000 shopper requests.
// The gateways of a, b, c and v run with GATEWAY_CACHE=off, so they keep measuring the pass-through path.
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

type ScenarioId = 'a' | 'b' | 'c' | 'w' | 'v' | 'd' | 'e';
type TargetName = 'gateway' | 'direct' | 'hive' | 'gateway_1_worker' | 'gateway_2_workers' | 'gateway_cache_on' | 'gateway_cache_off';
const SCENARIO_IDS: readonly ScenarioId[] = ['a', 'b', 'c', 'w', 'v', 'd', 'e'];
/** The targets each summary reports (absent ones as null), in the order of its table. */
const CLASSIC_TARGETS: readonly TargetName[] = ['gateway', 'direct', 'hive'];
const WORKER_TARGETS: readonly TargetName[] = ['gateway_1_worker', 'gateway_2_workers'];
const CACHED_TARGETS: readonly TargetName[] = ['gateway_cache_on', 'direct', 'hive'];
const SLOW_TARGETS: readonly TargetName[] = ['gateway_cache_on', 'gateway_cache_off'];

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
  /** Scenario v: connections of the attack stream (beside BENCH_CONNECTIONS of normal traffic). */
  attackConnections: Math.round(envNumber('BENCH_ATTACK_CONNECTIONS', 4)),
  /** Scenario e: latency the slow sandbox adds to every request. */
  slowLatencyMs: envNumber('BENCH_SLOW_LATENCY_MS', 50),
  /** Scenarios d and e: GATEWAY_CACHE_TTL_SECONDS of the cache-on gateways (the gateway's default when unset). */
  cacheTtlS: process.env.BENCH_CACHE_TTL_S ? Math.round(envNumber('BENCH_CACHE_TTL_S', 300)) : null,
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
/**
 * Scenario v's attack: one selection repeated in one selection set, about 17.5 KB. 484 repetitions stay under the
 * token limit (10 tokens each; 5,000 by default) and exceed the selections-per-set limit (250 by default), so the
 * gateway refuses it before validation (BAD_USER_INPUT, MAX_SELECTIONS). Without that limit, graphql-js's
 * field-merging validation would compare the 484 `products` pairwise.
 */
const ATTACK_REPETITIONS = 484;
const ATTACK_QUERY = `{ site { ${'products { edges { node { name } } } '.repeat(ATTACK_REPETITIONS)}} }`;
/**
 * Each attack request carries a fresh comment (`[<id>]`, replaced by autocannon), so every document is a new string:
 * an attacker would not let the gateway's parse cache and per-document verdicts answer for free.
 */
const ATTACK_BODY = JSON.stringify({ query: `# [<id>]\n${ATTACK_QUERY}` });

interface Target {
  name: TargetName;
  url: string;
  headers: Record<string, string>;
  /** Scenario w: the processes that serve this target (its workers), whose CPU time each run records. */
  servingPids?: () => number[];
  /** One of our in-process gateways: where to read its received requests and its sandbox's upstream requests. */
  stats?: StatsSources;
  /**
   * The response cache is on: before load its answers are checked against `uncached` (the same request to a
   * gateway with the cache off), and during load its X-Cache headers are counted.
   */
  cached?: { uncached: Target };
}

interface Scenario {
  /** The scenario's id, or a label for a part of one (`e guest`). */
  id: string;
  title: string;
  query: string;
  expectedProducts: number;
  /** What each product must carry: the storefront's `prices`, or the gateway's REST `pricing` (c). */
  expects: 'prices' | 'pricing';
  targets: Target[];
  /** The targets the summary reports (absent ones as null), in the order of its table. */
  report: readonly TargetName[];
  /** The gateway whose ratios (to direct, to Hive) and upstream calls the summary reports. */
  subject: TargetName;
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

/** One POST as the load generator sends it, keeping the body text and the X-Cache header. */
async function postRaw(target: Target, query: string): Promise<{ status: number; text: string; xCache: string | null }> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...target.headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text(), xCache: response.headers.get('x-cache') };
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
    if (scenario.expects === 'pricing') {
      const pricing = node.pricing as { calculatedPrice?: { taxInclusive?: unknown } } | null;
      if (typeof pricing?.calculatedPrice?.taxInclusive !== 'number') throw new Error(`${where}: product ${node.entityId} without pricing`);
    } else {
      const prices = node.prices as { price?: { value?: unknown } } | null;
      if (typeof prices?.price?.value !== 'number') throw new Error(`${where}: product ${node.entityId} without prices`);
    }
  }
  return JSON.stringify(body.data);
}

interface CacheCheck {
  /** False when the gateway sends no X-Cache header: this build has no response cache, so d and e show no difference. */
  cache_in_build: boolean;
  /** X-Cache of two identical requests in a row to the cache-on gateway, and of the same request with the cache off. */
  first: string | null;
  second: string | null;
  uncached: string | null;
}

let cacheAbsentWarned = false;

/**
 * A cache-on target: the same request twice in a row (a miss or hit, then a hit) must give the same bytes, and the
 * same data as the cache-off gateway, which must say BYPASS. Run before `verify`, so the first request can miss.
 */
async function verifyCache(scenario: Scenario, target: Target): Promise<CacheCheck> {
  const uncachedTarget = target.cached!.uncached;
  const where = `scenario ${scenario.id}, ${target.name}`;
  const uncached = await postRaw(uncachedTarget, scenario.query);
  const first = await postRaw(target, scenario.query);
  const second = await postRaw(target, scenario.query);
  for (const [label, r] of [['uncached', uncached], ['first', first], ['second', second]] as const) {
    if (r.status !== 200 || r.text.includes('"errors"')) throw new Error(`${where}: ${label} answer HTTP ${r.status} ${r.text.slice(0, 300)}`);
  }
  const dataOf = (text: string): string => JSON.stringify((JSON.parse(text) as GraphQLBody).data);
  if (dataOf(first.text) !== dataOf(uncached.text) || dataOf(second.text) !== dataOf(uncached.text)) {
    throw new Error(`${where}: cached answers differ from the uncached answer (${uncachedTarget.name}):\n${second.text.slice(0, 300)}\n${uncached.text.slice(0, 300)}`);
  }
  const cache_in_build = first.xCache !== null || second.xCache !== null || uncached.xCache !== null;
  if (!cache_in_build) {
    if (!cacheAbsentWarned) process.stdout.write('  WARNING: no X-Cache header: this build has no response cache; cache on and off measure the same path\n');
    cacheAbsentWarned = true;
  } else {
    if (uncached.xCache !== 'BYPASS') throw new Error(`${where}: the cache-off gateway answered X-Cache: ${uncached.xCache} (expected BYPASS)`);
    if (second.xCache !== 'HIT') throw new Error(`${where}: a repeated request answered X-Cache: ${second.xCache} (expected HIT); the scenario would not measure the cache`);
    if (first.text !== second.text) throw new Error(`${where}: the cached answer is not the bytes of the first answer:\n${first.text.slice(0, 300)}\n${second.text.slice(0, 300)}`);
  }
  return { cache_in_build, first: first.xCache, second: second.xCache, uncached: uncached.xCache };
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
  /** Our gateways: upstream requests per gateway request during this run (REST pricing, storefront GraphQL, all). */
  upstream?: { restPricingPerRequest: number; storefrontGraphqlPerRequest: number; allPerRequest: number };
  /** Cache-on targets: responses by X-Cache value during this run. */
  xCache?: Record<string, number>;
  /** Scenario w: CPU seconds each serving process used during this run (shows that the load reached every worker). */
  workerCpuSeconds?: number[];
}

interface Cannon {
  instance: autocannon.Instance;
  result: Promise<autocannon.Result>;
}

function startCannon(options: autocannon.Options): Cannon {
  let instance: autocannon.Instance | undefined;
  const result = new Promise<autocannon.Result>((resolvePromise, reject) => {
    instance = autocannon(options, (err, r) => (err ? reject(err) : resolvePromise(r)));
  });
  return { instance: instance!, result };
}

/** Load on `target` with `query`; for a cache-on target, `xCache` (if given) counts the responses' X-Cache values. */
function cannon(target: Target, query: string, durationS: number, xCache?: Record<string, number>): Promise<autocannon.Result> {
  const onResponse = (_status: number, _body: string, _context: Record<string, unknown>, headers: Record<string, string | string[]>): void => {
    const name = Object.keys(headers).find((h) => h.toLowerCase() === 'x-cache');
    const raw = name === undefined ? 'none' : headers[name];
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    xCache![value] = (xCache![value] ?? 0) + 1;
  };
  return startCannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...target.headers },
    body: JSON.stringify({ query }),
    connections: SETTINGS.connections,
    duration: durationS,
    timeout: 10,
    verifyBody: looksSuccessful,
    ...(xCache ? { requests: [{ onResponse }] } : {}),
  }).result;
}

interface StatsSources {
  sandboxStatsUrl: string;
  gatewayStatsUrl: string;
  pricingRoute: string;
}

interface UpstreamSnapshot {
  gatewayRequests: number;
  pricing: number;
  storefront: number;
  /** Every request the sandbox received. */
  all: number;
}

async function upstreamSnapshot(sources: StatsSources): Promise<UpstreamSnapshot> {
  const [sandbox, gateway] = await Promise.all([getJson<Counters>(sources.sandboxStatsUrl), getJson<Counters>(sources.gatewayStatsUrl)]);
  return {
    gatewayRequests: gateway.byRoute['POST /graphql'] ?? 0,
    pricing: sandbox.byRoute[sources.pricingRoute] ?? 0,
    storefront: sandbox.byRoute['POST /graphql'] ?? 0,
    all: sandbox.total,
  };
}

/** Upstream requests per gateway request between two snapshots. */
function upstreamPerRequest(before: UpstreamSnapshot, after: UpstreamSnapshot): NonNullable<Run['upstream']> {
  const requests = after.gatewayRequests - before.gatewayRequests;
  return {
    restPricingPerRequest: round((after.pricing - before.pricing) / requests, 4),
    storefrontGraphqlPerRequest: round((after.storefront - before.storefront) / requests, 4),
    allPerRequest: round((after.all - before.all) / requests, 4),
  };
}

async function measure(scenario: Scenario, target: Target, roundNo: number): Promise<Run> {
  // Requests abandoned when the previous run stopped may still be making upstream calls: let them finish first.
  await sleep(300);
  const before = target.stats ? await upstreamSnapshot(target.stats) : undefined;
  const pids = target.servingPids?.() ?? [];
  const cpuBefore = pids.map(cpuSeconds);
  const xCache: Record<string, number> | undefined = target.cached ? {} : undefined;
  const result = await cannon(target, scenario.query, SETTINGS.durationS, xCache);
  const cpuAfter = pids.map(cpuSeconds);
  let upstream: Run['upstream'];
  if (before && target.stats) {
    // Let in-flight requests finish, so both counters cover the same requests.
    await sleep(300);
    upstream = upstreamPerRequest(before, await upstreamSnapshot(target.stats));
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
    xCache,
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
  /** Scenario e: req/s with the cache on over req/s with it off (median of per-round ratios). */
  ratio_cache_on_vs_off?: number | null;
  rest_calls_per_request?: number;
  storefront_calls_per_request?: number;
  failed_responses: ByTarget;
  /** Cache-on targets: the pre-load check, and responses by X-Cache value over all measured runs. */
  cache_check?: Partial<Record<TargetName, CacheCheck>>;
  x_cache?: Partial<Record<TargetName, Record<string, number>>>;
  runs: Run[];
}

async function runScenario(scenario: Scenario): Promise<ScenarioSummary> {
  process.stdout.write(`\nscenario ${scenario.id}: ${scenario.title}\n`);
  const cacheChecks: Partial<Record<TargetName, CacheCheck>> = {};
  for (const target of scenario.targets) {
    if (!target.cached) continue;
    const check = await verifyCache(scenario, target);
    cacheChecks[target.name] = check;
    if (check.cache_in_build) {
      process.stdout.write(`  verified: ${target.name} answers X-Cache ${check.first} then ${check.second}, same bytes; ${target.cached.uncached.name} (cache off) BYPASS, same data\n`);
    }
  }
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
      const run = await measure(scenario, target, r + 1);
      runs.push(run);
      const failed = run.non2xx + run.mismatches + run.errors + run.timeouts;
      const upstream = run.upstream ? `  rest/req ${run.upstream.restPricingPerRequest}  storefront/req ${run.upstream.storefrontGraphqlPerRequest}` : '';
      const cpu = run.workerCpuSeconds ? `  cpu s/worker ${run.workerCpuSeconds.join(' / ')}` : '';
      const xCache = run.xCache ? `  x-cache ${JSON.stringify(run.xCache)}` : '';
      process.stdout.write(
        `  round ${r + 1} ${target.name.padEnd(7)} ${String(run.rps).padStart(8)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  failed ${failed}${upstream}${cpu}${xCache}\n`,
      );
      assertEveryWorkerServed(scenario, target, run);
    }
  }
  const summary = summarise(scenario, runs);
  if (Object.keys(cacheChecks).length > 0) summary.cache_check = cacheChecks;
  return summary;
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
  const names = scenario.report;
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
  const ratio = (other: TargetName): number | null => ratioOf(scenario.subject, other);
  const gatewayRuns = runs.filter((r) => r.target === scenario.subject && r.upstream);
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
  if (has('gateway_cache_on') && has('gateway_cache_off')) summary.ratio_cache_on_vs_off = ratioOf('gateway_cache_on', 'gateway_cache_off');
  if (gatewayRuns.length > 0) {
    summary.storefront_calls_per_request = round(median(gatewayRuns.map((r) => r.upstream!.storefrontGraphqlPerRequest)), 4);
    if (scenario.expects === 'pricing') summary.rest_calls_per_request = round(median(gatewayRuns.map((r) => r.upstream!.restPricingPerRequest)), 4);
  }
  const xCache: Partial<Record<TargetName, Record<string, number>>> = {};
  for (const run of runs) {
    if (!run.xCache) continue;
    const sum = (xCache[run.target] ??= {});
    for (const [status, n] of Object.entries(run.xCache)) sum[status] = (sum[status] ?? 0) + n;
  }
  if (Object.keys(xCache).length > 0) summary.x_cache = xCache;
  return summary;
}

const TARGET_LABELS: Record<TargetName, string> = {
  gateway: 'our gateway',
  hive: 'hive gateway',
  direct: 'direct upstream',
  gateway_1_worker: 'our gateway, 1 worker',
  gateway_2_workers: 'our gateway, 2 workers',
  gateway_cache_on: 'our gateway, cache on',
  gateway_cache_off: 'our gateway, cache off',
};

function printSummary(id: string, s: ScenarioSummary): void {
  // The upstream alone last, as the baseline.
  const names = (Object.keys(s.rps) as TargetName[]).sort((x, y) => Number(x === 'direct') - Number(y === 'direct'));
  const fmt = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined ? '-' : v.toFixed(digits));
  const rows = names
    .filter((n) => s.rps[n] !== null && s.rps[n] !== undefined)
    .map((n) => [TARGET_LABELS[n], fmt(s.rps[n]), fmt(s.p50_ms[n], 1), fmt(s.p99_ms[n], 1), fmt(s.failed_responses[n])]);
  process.stdout.write(`\n=== scenario ${id}: ${s.title} (medians of ${SETTINGS.rounds} rounds × ${SETTINGS.durationS}s, ${SETTINGS.connections} connections)\n`);
  process.stdout.write(table(['target', 'req/s', 'p50 ms', 'p99 ms', 'failed'], rows) + '\n');
  if (s.ratio_vs_direct !== null) process.stdout.write(`gateway / direct upstream: ${s.ratio_vs_direct.toFixed(3)}×\n`);
  if (s.ratio_vs_hive !== null) process.stdout.write(`gateway / hive gateway:    ${s.ratio_vs_hive.toFixed(3)}×\n`);
  if (s.ratio_cache_on_vs_off !== undefined && s.ratio_cache_on_vs_off !== null) process.stdout.write(`cache on / cache off:      ${s.ratio_cache_on_vs_off.toFixed(3)}×\n`);
  if (s.x_cache) process.stdout.write(`X-Cache during load: ${JSON.stringify(s.x_cache)}\n`);
  if (s.ratio_2_workers_vs_1 !== undefined && s.ratio_2_workers_vs_1 !== null) process.stdout.write(`2 workers / 1 worker:      ${s.ratio_2_workers_vs_1.toFixed(3)}×\n`);
  if (s.rest_calls_per_request !== undefined) process.stdout.write(`REST pricing calls per request: ${s.rest_calls_per_request}\n`);
  if (s.storefront_calls_per_request !== undefined) process.stdout.write(`storefront GraphQL calls per request: ${s.storefront_calls_per_request}\n`);
}

// ---------------------------------------------------------------------------------------------- scenario v

interface LoadStats {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  completed: number;
  /** Normal traffic: non-2xx, bodies that are not products, connection errors and timeouts. */
  failed: number;
}

interface AttackStats {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  completed: number;
  /** Answers that are the expected refusal (BAD_USER_INPUT, MAX_SELECTIONS): what the gateway should answer. */
  refused_max_selections: number;
  /** Answers that are anything else (the document was validated, executed or refused otherwise). */
  other_answers: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface AttackRound {
  round: number;
  normal_alone: LoadStats;
  normal_under_attack: LoadStats;
  attack: AttackStats;
}

interface AttackSummary {
  title: string;
  query: string;
  attack_document: {
    bytes: number;
    repetitions: number;
    connections: number;
    distinct_documents: true;
    /** The gateway's answer to one attack document before load. */
    refusal: { status: number; code: string | null; reason: string | null; message: string | null };
  };
  normal_alone: LoadStats;
  normal_under_attack: LoadStats;
  attack: AttackStats;
  /** p99 of normal traffic under attack over p99 alone (median of per-round ratios). */
  p99_ratio: number | null;
  /** req/s of normal traffic under attack over req/s alone (median of per-round ratios). */
  rps_ratio: number | null;
  rounds: AttackRound[];
}

function loadStats(result: autocannon.Result): LoadStats {
  return {
    rps: round(result.requests.average, 1),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    completed: result.requests.total,
    failed: result.non2xx + result.mismatches + result.errors + result.timeouts,
  };
}

/** Refused by the selection limits, or (once the client has sent enough of them) unread as TOO_MANY_REFUSED. */
const isRefusal = (body: string): boolean => body.includes('"MAX_SELECTIONS"') || body.includes('"TOO_MANY_REFUSED"');
/** The attacker is a client of its own (the bench gateway trusts one proxy hop: loopback is the "proxy"). */
const ATTACKER_ADDRESS = '203.0.113.66';

function startAttack(target: Target, durationS: number): Cannon {
  return startCannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...target.headers, 'x-forwarded-for': ATTACKER_ADDRESS },
    body: ATTACK_BODY,
    idReplacement: true,
    connections: SETTINGS.attackConnections,
    duration: durationS,
    timeout: 10,
    verifyBody: isRefusal,
  });
}

function attackStats(result: autocannon.Result): AttackStats {
  return {
    rps: round(result.requests.average, 1),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    completed: result.requests.total,
    refused_max_selections: result.requests.total - result.mismatches,
    other_answers: result.mismatches,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Normal traffic measured while the attack runs: the attack starts first and is stopped when the measurement ends. */
async function measureUnderAttack(target: Target, query: string): Promise<{ normal: autocannon.Result; attack: autocannon.Result }> {
  const attack = startAttack(target, SETTINGS.durationS + 5);
  try {
    await sleep(500);
    const normal = await cannon(target, query, SETTINGS.durationS);
    return { normal, attack: await (attack.instance.stop(), attack.result) };
  } catch (err) {
    attack.instance.stop();
    throw err;
  }
}

async function runAttackScenario(scenario: Scenario): Promise<AttackSummary> {
  process.stdout.write(`\nscenario v: ${scenario.title}\n`);
  const target = scenario.targets[0];
  await verify(scenario, target);
  const probe = await postRaw(target, `# probe\n${ATTACK_QUERY}`);
  const probeBody = JSON.parse(probe.text) as { errors?: Array<{ message?: string; extensions?: { code?: string; reason?: string } }> };
  const firstError = probeBody.errors?.[0];
  const refusal = {
    status: probe.status,
    code: firstError?.extensions?.code ?? null,
    reason: firstError?.extensions?.reason ?? null,
    message: firstError?.message ?? null,
  };
  const bytes = Buffer.byteLength(ATTACK_QUERY);
  if (refusal.reason === 'MAX_SELECTIONS') {
    process.stdout.write(`  verified: ${target.name} answers (a)'s query; refuses the ${(bytes / 1024).toFixed(1)} KB attack document with HTTP ${refusal.status} ${refusal.code} / ${refusal.reason}\n`);
  } else {
    process.stdout.write(`  WARNING: the attack document is not refused with MAX_SELECTIONS (HTTP ${probe.status}: ${probe.text.slice(0, 200)}); its answers count as other_answers\n`);
  }

  process.stdout.write(`  warm-up ${target.name} (${SETTINGS.warmupS}s normal, then ${SETTINGS.warmupS}s normal under attack)\n`);
  await cannon(target, scenario.query, SETTINGS.warmupS);
  const warmAttack = startAttack(target, SETTINGS.warmupS + 5);
  await cannon(target, scenario.query, SETTINGS.warmupS);
  warmAttack.instance.stop();
  await warmAttack.result;

  const rounds: AttackRound[] = [];
  for (let r = 0; r < SETTINGS.rounds; r++) {
    let alone: LoadStats | undefined;
    let under: { normal: LoadStats; attack: AttackStats } | undefined;
    // Alternate which runs first, so drift cancels.
    for (const step of r % 2 === 0 ? ['alone', 'attack'] : ['attack', 'alone']) {
      await sleep(300);
      if (step === 'alone') {
        alone = loadStats(await cannon(target, scenario.query, SETTINGS.durationS));
      } else {
        const result = await measureUnderAttack(target, scenario.query);
        under = { normal: loadStats(result.normal), attack: attackStats(result.attack) };
      }
    }
    const entry: AttackRound = { round: r + 1, normal_alone: alone!, normal_under_attack: under!.normal, attack: under!.attack };
    rounds.push(entry);
    process.stdout.write(
      `  round ${r + 1} alone ${entry.normal_alone.rps} req/s p50 ${entry.normal_alone.p50_ms} p99 ${entry.normal_alone.p99_ms} failed ${entry.normal_alone.failed}` +
        ` | under attack ${entry.normal_under_attack.rps} req/s p50 ${entry.normal_under_attack.p50_ms} p99 ${entry.normal_under_attack.p99_ms} failed ${entry.normal_under_attack.failed}` +
        ` | attack ${entry.attack.rps} req/s, refused ${entry.attack.refused_max_selections}, other ${entry.attack.other_answers}\n`,
    );
  }

  const med = (f: (x: AttackRound) => number, digits = 2): number => round(median(rounds.map(f)), digits);
  const sum = (f: (x: AttackRound) => number): number => rounds.reduce((s, x) => s + f(x), 0);
  const loadMedian = (pick: (x: AttackRound) => LoadStats): LoadStats => ({
    rps: med((x) => pick(x).rps, 1),
    p50_ms: med((x) => pick(x).p50_ms),
    p99_ms: med((x) => pick(x).p99_ms),
    completed: sum((x) => pick(x).completed),
    failed: sum((x) => pick(x).failed),
  });
  const ratioOf = (f: (x: AttackRound) => number, g: (x: AttackRound) => number): number | null => {
    const perRound = rounds.filter((x) => g(x) > 0).map((x) => f(x) / g(x));
    return perRound.length > 0 ? round(median(perRound), 3) : null;
  };
  return {
    title: scenario.title,
    query: scenario.query,
    attack_document: { bytes, repetitions: ATTACK_REPETITIONS, connections: SETTINGS.attackConnections, distinct_documents: true, refusal },
    normal_alone: loadMedian((x) => x.normal_alone),
    normal_under_attack: loadMedian((x) => x.normal_under_attack),
    attack: {
      rps: med((x) => x.attack.rps, 1),
      p50_ms: med((x) => x.attack.p50_ms),
      p99_ms: med((x) => x.attack.p99_ms),
      completed: sum((x) => x.attack.completed),
      refused_max_selections: sum((x) => x.attack.refused_max_selections),
      other_answers: sum((x) => x.attack.other_answers),
      non2xx: sum((x) => x.attack.non2xx),
      errors: sum((x) => x.attack.errors),
      timeouts: sum((x) => x.attack.timeouts),
    },
    p99_ratio: ratioOf((x) => x.normal_under_attack.p99_ms, (x) => x.normal_alone.p99_ms),
    rps_ratio: ratioOf((x) => x.normal_under_attack.rps, (x) => x.normal_alone.rps),
    rounds,
  };
}

function printAttackSummary(s: AttackSummary): void {
  const row = (label: string, l: { rps: number; p50_ms: number; p99_ms: number }, failed: string): string[] => [label, l.rps.toFixed(0), l.p50_ms.toFixed(1), l.p99_ms.toFixed(1), failed];
  process.stdout.write(
    `\n=== scenario v: ${s.title} (medians of ${SETTINGS.rounds} rounds × ${SETTINGS.durationS}s; normal ${SETTINGS.connections} connections, attack ${SETTINGS.attackConnections})\n`,
  );
  process.stdout.write(
    table(
      ['traffic', 'req/s', 'p50 ms', 'p99 ms', 'failed'],
      [
        row('normal, alone', s.normal_alone, String(s.normal_alone.failed)),
        row('normal, under attack', s.normal_under_attack, String(s.normal_under_attack.failed)),
        row('attack (refused = expected)', s.attack, `other ${s.attack.other_answers}`),
      ],
    ) + '\n',
  );
  process.stdout.write(`attack answers refused with MAX_SELECTIONS: ${s.attack.refused_max_selections} of ${s.attack.completed}\n`);
  if (s.p99_ratio !== null) process.stdout.write(`normal p99 under attack / alone: ${s.p99_ratio.toFixed(3)}×\n`);
  if (s.rps_ratio !== null) process.stdout.write(`normal req/s under attack / alone: ${s.rps_ratio.toFixed(3)}×\n`);
}

// ---------------------------------------------------------------------------------------------- scenario e

type PerShopper<T> = { guest: T; wholesale: T };

interface SlowUpstreamSummary {
  title: string;
  upstream_latency_ms: number;
  cache_ttl_seconds: number | 'gateway default';
  cache_on: PerShopper<LoadStats & { x_cache: Record<string, number> | null }>;
  cache_off: PerShopper<LoadStats & { x_cache: Record<string, number> | null }>;
  /** Storefront GraphQL requests the slow sandbox received per 1,000 requests our gateway received (median over rounds). */
  upstream_requests_per_1000: { cache_on: PerShopper<number | null>; cache_off: PerShopper<number | null> };
  /** Every request the slow sandbox received (storefront and REST) per 1,000 gateway requests. */
  all_upstream_requests_per_1000: { cache_on: PerShopper<number | null>; cache_off: PerShopper<number | null> };
  /** req/s with the cache on over off (median of per-round ratios). */
  ratio_cache_on_vs_off: PerShopper<number | null>;
  cache_check: PerShopper<Partial<Record<TargetName, CacheCheck>> | null>;
  parts: PerShopper<ScenarioSummary>;
}

function slowUpstreamSummary(parts: PerShopper<ScenarioSummary>): SlowUpstreamSummary {
  const side = (s: ScenarioSummary, name: TargetName): LoadStats & { x_cache: Record<string, number> | null } => {
    const runs = s.runs.filter((r) => r.target === name);
    return {
      rps: s.rps[name] ?? Number.NaN,
      p50_ms: s.p50_ms[name] ?? Number.NaN,
      p99_ms: s.p99_ms[name] ?? Number.NaN,
      completed: runs.reduce((n, r) => n + r.completed, 0),
      failed: s.failed_responses[name] ?? 0,
      x_cache: s.x_cache?.[name] ?? null,
    };
  };
  const per1000 = (s: ScenarioSummary, name: TargetName, f: (u: NonNullable<Run['upstream']>) => number): number | null => {
    const values = s.runs.filter((r) => r.target === name && r.upstream).map((r) => f(r.upstream!) * 1000);
    return values.length > 0 ? round(median(values), 1) : null;
  };
  const both = <T>(f: (s: ScenarioSummary) => T): PerShopper<T> => ({ guest: f(parts.guest), wholesale: f(parts.wholesale) });
  const upstream = (f: (u: NonNullable<Run['upstream']>) => number): SlowUpstreamSummary['upstream_requests_per_1000'] => ({
    cache_on: both((s) => per1000(s, 'gateway_cache_on', f)),
    cache_off: both((s) => per1000(s, 'gateway_cache_off', f)),
  });
  return {
    title: `our gateway with the response cache on vs off, in front of a sandbox that adds ${SETTINGS.slowLatencyMs} ms per request; (a)'s query as guest and as the wholesale shopper`,
    upstream_latency_ms: SETTINGS.slowLatencyMs,
    cache_ttl_seconds: SETTINGS.cacheTtlS ?? 'gateway default',
    cache_on: both((s) => side(s, 'gateway_cache_on')),
    cache_off: both((s) => side(s, 'gateway_cache_off')),
    upstream_requests_per_1000: upstream((u) => u.storefrontGraphqlPerRequest),
    all_upstream_requests_per_1000: upstream((u) => u.allPerRequest),
    ratio_cache_on_vs_off: both((s) => s.ratio_cache_on_vs_off ?? null),
    cache_check: both((s) => s.cache_check ?? null),
    parts,
  };
}

function printSlowUpstreamSummary(s: SlowUpstreamSummary): void {
  process.stdout.write(`\n=== scenario e: ${s.title} (medians of ${SETTINGS.rounds} rounds × ${SETTINGS.durationS}s, ${SETTINGS.connections} connections)\n`);
  const fmt = (v: number | null, digits: number): string => (v === null || Number.isNaN(v) ? '-' : v.toFixed(digits));
  const rows: string[][] = [];
  for (const shopper of ['guest', 'wholesale'] as const) {
    for (const setting of ['cache_on', 'cache_off'] as const) {
      const l = s[setting][shopper];
      rows.push([`${shopper}, ${setting.replace('_', ' ')}`, fmt(l.rps, 0), fmt(l.p50_ms, 1), fmt(l.p99_ms, 1), fmt(s.upstream_requests_per_1000[setting][shopper], 1), String(l.failed)]);
    }
  }
  process.stdout.write(table(['shopper, cache', 'req/s', 'p50 ms', 'p99 ms', 'storefront req / 1000', 'failed'], rows) + '\n');
  process.stdout.write(`cache on / cache off req/s: guest ${fmt(s.ratio_cache_on_vs_off.guest, 3)}×, wholesale ${fmt(s.ratio_cache_on_vs_off.wholesale, 3)}×\n`);
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
  /** The response cache as configured (null: this build has no cache configuration). */
  cache: boolean | null;
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
    // Like a, b and c: the pass-through path (the cache would otherwise answer from Redis).
    GATEWAY_CACHE: 'off',
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
  const want = (...ids: ScenarioId[]): boolean => ids.some((id) => SETTINGS.scenarios.includes(id));
  // Which processes the selected scenarios need: w needs none of these (and no Hive installation).
  const needHive = want('a', 'b', 'd');
  const needGateway = want('a', 'b', 'c', 'v', 'd');
  try {
    const profArgs = (name: string): string[] =>
      SETTINGS.cpuProf.includes(name) ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`] : [];
    if (SETTINGS.cpuProf.length > 0) mkdirSync(PROFILE_DIR, { recursive: true });
    /** Our gateway (serve-gateway.ts) in its own process, in front of `upstream`, with the response cache on or off. */
    const startGateway = async (name: string, upstream: SandboxInfo, cache: 'on' | 'off'): Promise<Child<GatewayInfo>> => {
      const child = await startAnnouncingChild<GatewayInfo>(name, join(__dirname, 'serve-gateway.js'), profArgs(name), {
        BENCH_SANDBOX: JSON.stringify({ url: upstream.url, identity: upstream.identity }),
        BENCH_GATEWAY_CACHE: cache,
        BENCH_GATEWAY_CACHE_TTL_S: SETTINGS.cacheTtlS === null ? '' : String(SETTINGS.cacheTtlS),
      });
      children.push(child);
      if (child.info.cache !== null && child.info.cache !== (cache === 'on')) throw new Error(`${name}: started with the cache ${child.info.cache ? 'on' : 'off'}, expected ${cache}`);
      return child;
    };
    const statsOf = (upstream: SandboxInfo, gateway: Child<GatewayInfo>): StatsSources => ({
      sandboxStatsUrl: upstream.statsUrl,
      gatewayStatsUrl: gateway.info.statsUrl,
      pricingRoute: `POST /stores/${upstream.identity.storeHash}/v3/pricing/products`,
    });

    const sandboxChild = await startAnnouncingChild<SandboxInfo>('sandbox', join(__dirname, 'serve-sandbox.js'), [], { BENCH_SANDBOX_LATENCY_MS: '0' });
    children.push(sandboxChild);
    const sandbox = sandboxChild.info;
    const token = await createImpersonationToken(sandbox.url, sandbox.identity);
    const guest = { authorization: `Bearer ${token}` };
    const wholesale = { authorization: `Bearer ${token}`, 'x-bc-customer-id': String(WHOLESALE.customerId) };
    const direct = `${sandbox.url}/graphql`;

    const scenarios: Partial<Record<ScenarioId, Scenario>> = {};
    let gatewayTarget: Target | undefined;
    if (needGateway) {
      // The pass-through path of a, b, c and v: the response cache off.
      const gateway = await startGateway('gateway', sandbox, 'off');
      gatewayTarget = { name: 'gateway', url: `${gateway.info.url}/graphql`, headers: {}, stats: statsOf(sandbox, gateway) };
      scenarios.c = {
        id: 'c',
        title: '20 products with REST pricing, guest, our gateway only',
        query: PRICING_20,
        expectedProducts: 20,
        expects: 'pricing',
        targets: [gatewayTarget],
        report: CLASSIC_TARGETS,
        subject: 'gateway',
      };
      scenarios.v = {
        id: 'v',
        title: "(a)'s query alone and beside a stream of 17.5 KB documents of one repeated selection, our gateway (cache off) only",
        query: CATALOG_10,
        expectedProducts: 10,
        expects: 'prices',
        targets: [gatewayTarget],
        report: ['gateway'],
        subject: 'gateway',
      };
    }

    let hiveUrl: string | undefined;
    if (needHive) {
      const hiveBin = ensureHiveGateway(CACHE);
      const hivePort = await freePort();
      const hiveLog = join(CACHE, 'hive-gateway.log');
      const hive = startLoggingChild('hive', [...profArgs('hive'), hiveBin, 'proxy', '--config-path', join(ROOT, 'bench', 'hive-gateway.config.mjs'), '--host', '127.0.0.1', '--port', String(hivePort)], {
        env: { HIVE_BENCH_UPSTREAM: direct, HIVE_BENCH_TOKEN: token },
        cwd: join(CACHE, 'hive'),
        logFile: hiveLog,
      });
      children.push(hive);
      hiveUrl = `http://127.0.0.1:${hivePort}/graphql`;
      await waitForGraphQL({ name: 'hive', url: hiveUrl, headers: guest }, '{ __typename }', 60_000, hive).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)} (log: ${hiveLog})`);
      });
    }

    if (gatewayTarget && hiveUrl) {
      const sessionToken = await loginToGateway(gatewayTarget.url);
      scenarios.a = {
        id: 'a',
        title: 'catalog, 10 products with prices, guest',
        query: CATALOG_10,
        expectedProducts: 10,
        expects: 'prices',
        targets: [gatewayTarget, { name: 'hive', url: hiveUrl, headers: guest }, { name: 'direct', url: direct, headers: guest }],
        report: CLASSIC_TARGETS,
        subject: 'gateway',
      };
      scenarios.b = {
        id: 'b',
        title: 'catalog, 10 products with prices, logged-in wholesale shopper',
        query: CATALOG_10,
        expectedProducts: 10,
        expects: 'prices',
        targets: [
          { ...gatewayTarget, headers: { authorization: `Bearer ${sessionToken}` } },
          { name: 'hive', url: hiveUrl, headers: wholesale },
          { name: 'direct', url: direct, headers: wholesale },
        ],
        report: CLASSIC_TARGETS,
        subject: 'gateway',
      };
      // Guest and wholesale must differ, or scenario b would not exercise the shopper's identity.
      const guestData = await verify(scenarios.a, scenarios.a.targets[0]);
      for (const target of scenarios.b.targets) {
        if ((await verify(scenarios.b, target)) === guestData) throw new Error(`${target.name}: wholesale prices equal guest prices; identity not forwarded`);
      }
    }

    if (want('d')) {
      const cachedGateway = await startGateway('gateway-cache', sandbox, 'on');
      scenarios.d = {
        id: 'd',
        title: "(a)'s query (10 products, guest), our gateway with the response cache on",
        query: CATALOG_10,
        expectedProducts: 10,
        expects: 'prices',
        targets: [
          { name: 'gateway_cache_on', url: `${cachedGateway.info.url}/graphql`, headers: {}, stats: statsOf(sandbox, cachedGateway), cached: { uncached: gatewayTarget! } },
          { name: 'hive', url: hiveUrl!, headers: guest },
          { name: 'direct', url: direct, headers: guest },
        ],
        report: CACHED_TARGETS,
        subject: 'gateway_cache_on',
      };
    }

    let slowParts: PerShopper<Scenario> | undefined;
    if (want('e')) {
      const slowChild = await startAnnouncingChild<SandboxInfo>('sandbox-slow', join(__dirname, 'serve-sandbox.js'), [], {
        BENCH_SANDBOX_LATENCY_MS: String(SETTINGS.slowLatencyMs),
      });
      children.push(slowChild);
      const slow = slowChild.info;
      const [on, off] = await Promise.all([startGateway('gateway-slow-cache-on', slow, 'on'), startGateway('gateway-slow-cache-off', slow, 'off')]);
      const graphqlOf = (g: Child<GatewayInfo>): string => `${g.info.url}/graphql`;
      const [onSession, offSession] = await Promise.all([loginToGateway(graphqlOf(on)), loginToGateway(graphqlOf(off))]);
      const offGuest: Target = { name: 'gateway_cache_off', url: graphqlOf(off), headers: {}, stats: statsOf(slow, off) };
      const offWholesale: Target = { ...offGuest, headers: { authorization: `Bearer ${offSession}` } };
      const part = (shopper: string, offTarget: Target, onHeaders: Record<string, string>): Scenario => ({
        id: `e ${shopper}`,
        title: `(a)'s query, ${shopper}, our gateway with the cache on vs off, upstream +${SETTINGS.slowLatencyMs} ms per request`,
        query: CATALOG_10,
        expectedProducts: 10,
        expects: 'prices',
        targets: [{ name: 'gateway_cache_on', url: graphqlOf(on), headers: onHeaders, stats: statsOf(slow, on), cached: { uncached: offTarget } }, offTarget],
        report: SLOW_TARGETS,
        subject: 'gateway_cache_on',
      });
      slowParts = { guest: part('guest', offGuest, {}), wholesale: part('wholesale shopper', offWholesale, { authorization: `Bearer ${onSession}` }) };
      // As for b: the wholesale shopper's prices must differ from the guest's.
      if ((await verify(slowParts.guest, offGuest)) === (await verify(slowParts.wholesale, offWholesale))) {
        throw new Error('scenario e: wholesale prices equal guest prices; identity not forwarded');
      }
    }

    if (want('w')) {
      redis = await startRedisServer();
      scenarios.w = {
        id: 'w',
        title: "scenario a's query (10 products, guest), our gateway with 1 worker vs 2 workers on Redis",
        query: CATALOG_10,
        expectedProducts: 10,
        expects: 'prices',
        targets: await startWorkerTargets(sandbox, token, redis, children),
        report: WORKER_TARGETS,
        subject: 'gateway_1_worker',
      };
    }

    const started = new Date();
    const loadBefore = loadavg().map((v) => round(v, 2));
    const results: Partial<Record<ScenarioId, ScenarioSummary | AttackSummary | SlowUpstreamSummary>> = {};
    const printers: Array<() => void> = [];
    for (const id of SETTINGS.scenarios) {
      if (id === 'v') {
        const summary = await runAttackScenario(scenarios.v!);
        results.v = summary;
        printers.push(() => printAttackSummary(summary));
      } else if (id === 'e') {
        const guestPart = await runScenario(slowParts!.guest);
        const summary = slowUpstreamSummary({ guest: guestPart, wholesale: await runScenario(slowParts!.wholesale) });
        results.e = summary;
        printers.push(() => printSlowUpstreamSummary(summary));
      } else {
        const summary = await runScenario(scenarios[id]!);
        results[id] = summary;
        printers.push(() => printSummary(id, summary));
      }
    }

    const cpu = cpus();
    const notes = [
      'rps/p50/p99 are medians over alternated rounds; ratios are medians of per-round ratios. Each server runs in its own process; autocannon runs in the bench process on the same machine.',
      'The gateway of a, b, c and v runs with GATEWAY_CACHE=off (the pass-through path).',
    ];
    if (want('w')) {
      notes.push(
        'Scenario w runs node dist/src/main.js (real-store mode against the bench sandbox, Redis shared state) with GATEWAY_WORKERS=1 and =2; workerCpuSeconds per run are the CPU seconds each serving process used (Linux /proc).',
      );
    }
    if (want('v')) {
      notes.push(
        `Scenario v: normal traffic is (a)'s query on BENCH_CONNECTIONS; the attack is a second autocannon in the same bench process, on ${SETTINGS.attackConnections} connections, each request a new 17.5 KB document (a fresh comment), started 0.5 s before and stopped after the normal run. Refusals (MAX_SELECTIONS) are the expected answers to the attack, counted apart from normal traffic.`,
      );
    }
    if (want('d', 'e')) {
      notes.push(
        'Scenarios d and e: cache-on gateways are separate processes with GATEWAY_CACHE=on; their answers are checked against a cache-off gateway (same data; a repeat is a HIT with the same bytes) before load, and X-Cache values are counted during load. Warm-up fills the cache, so measured runs show the steady state of a warm cache within its TTL.',
      );
    }
    if (want('e')) {
      notes.push(
        `Scenario e: a second sandbox process adds ${SETTINGS.slowLatencyMs} ms to every request (latencyMs); upstream requests per 1,000 are counted at that sandbox against requests received by the gateway, 300 ms after each run so in-flight requests are included.`,
      );
    }
    const report = {
      ...results,
      meta: {
        date: started.toISOString(),
        finished: new Date().toISOString(),
        machine: { cores: cpu.length, cpu_model: cpu[0]?.model ?? 'unknown', memory_gb: round(totalmem() / 2 ** 30, 1), platform: `${platform()} ${release()}` },
        /** 1/5/15-min load averages: other work on the machine shows up here. */
        load_average: { before: loadBefore, after: loadavg().map((v) => round(v, 2)) },
        node: process.version,
        hive_gateway: needHive
          ? `@graphql-hive/gateway@${HIVE_GATEWAY_VERSION} (proxy mode, bench/hive-gateway.config.mjs, upstream in-flight dedup ${process.env.HIVE_BENCH_DEDUPE === '1' ? 'on' : 'off'})`
          : 'not run',
        settings: SETTINGS,
        command: 'npm run bench',
        notes: notes.join(' '),
      },
    };
    for (const print of printers) print();
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
