/**
 * The in-process test tier: a real gateway (`createGateway`) driven through `gateway.yoga.fetch`, with a fake
 * `HttpClient` as its only way out. No socket is opened — the helper refuses any while a gateway is alive —
 * so tests may run on jest's fake timers and script upstream faults (hang, reject, status, delay, hold) per call.
 *
 * The fake storefront executes each Storefront GraphQL POST against a small local schema (the sandbox SDL,
 * a subset of BigCommerce's) with graphql-js, so introspection, the gateway's own queries and delegated
 * fields all get real answers; REST calls (`{apiUrl}/stores/{hash}/v3/...`) go to small handlers.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql, type GraphQLSchema } from 'graphql';
import { parseConfig, withStore, type GatewayConfig, type StoreConfig } from '../../src/config';
import { createGateway, type Gateway } from '../../src/gateway';
import { createLogger } from '../../src/logger';
import type { HttpClient, HttpReply, HttpRequest } from '../../src/remote/http';
import type { GatewayStores } from '../../src/state/types';

export const SESSION_SECRET = 'inprocess-session-secret-0123456789-abcdef';

/** Made-up addresses: `.invalid` never resolves (RFC 6761), and nothing leaves the process anyway. */
export const TEST_STORE: StoreConfig = {
  storeHash: 'inproc1',
  channelId: 1,
  storefrontUrl: 'http://storefront.invalid/graphql',
  storeUrl: 'http://store.invalid',
  apiUrl: 'http://api.invalid',
  accessToken: 'test-rest-access-token',
  clientId: 'test-client-id',
  clientSecret: 'test-client-secret-0123456789-abcdefghij',
  storefrontToken: 'test-customer-impersonation-token',
  authMode: 'impersonation',
};

export const SANDBOX_SDL = readFileSync(join(__dirname, '..', '..', 'schema', 'sandbox.graphql'), 'utf8');

// ---------------------------------------------------------------------------------------------------------
// Behaviours: what the fake does with one upstream call.

export type Behaviour =
  /** The normal answer: the local storefront schema, or the REST handler. */
  | { kind: 'answer' }
  /** Never answers; rejects (as a transport would) once the caller's signal aborts. */
  | { kind: 'hang' }
  /** Transport failure: connection refused or reset. */
  | { kind: 'reject'; message: string }
  /** This status, headers and body, byte for byte. */
  | { kind: 'reply'; status: number; body: string; headers: Record<string, string> }
  /** Waits `ms` on the (possibly fake) clock, then does `then`; an abort during the wait rejects. */
  | { kind: 'delay'; ms: number; then: Behaviour }
  /** Waits until the test releases `gate`, then does `then`; an abort during the wait rejects. */
  | { kind: 'hold'; gate: Promise<void>; then: Behaviour };

export const behave = {
  answer: (): Behaviour => ({ kind: 'answer' }),
  hang: (): Behaviour => ({ kind: 'hang' }),
  reject: (message = 'connect ECONNREFUSED (fake)'): Behaviour => ({ kind: 'reject', message }),
  reply: (status: number, body: string, headers: Record<string, string> = {}): Behaviour => ({ kind: 'reply', status, body, headers }),
  json: (status: number, value: unknown, headers: Record<string, string> = {}): Behaviour => ({
    kind: 'reply',
    status,
    body: JSON.stringify(value),
    headers: { 'content-type': 'application/json', ...headers },
  }),
  after: (ms: number, then: Behaviour = { kind: 'answer' }): Behaviour => ({ kind: 'delay', ms, then }),
  /** A call held open until `release()`; then it does `then` (the normal answer by default). */
  held(then: Behaviour = { kind: 'answer' }): { behaviour: Behaviour; release(): void } {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    return { behaviour: { kind: 'hold', gate, then }, release: () => release() };
  },
};

// ---------------------------------------------------------------------------------------------------------
// Recorded calls.

export interface RecordedCall {
  /** 1-based, in call order. */
  seq: number;
  kind: 'storefront' | 'rest' | 'other';
  method: HttpRequest['method'];
  url: string;
  /** REST: the path below `/stores/{hash}` (e.g. `/v3/pricing/products`); otherwise the URL's pathname. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  /** Storefront: the operation's text and name. */
  query?: string;
  operationName?: string;
  /** `Date.now()` when the call started (the fake clock under fake timers). */
  at: number;
  /** How it ended: the status answered, or 'rejected'; undefined while in flight. */
  outcome?: number | 'rejected';
  /** `Date.now()` when it ended. */
  endedAt?: number;
}

/** Which calls a scripted behaviour applies to. */
export type Target = 'storefront' | 'rest' | 'any' | ((call: RecordedCall) => boolean);

/** Matches REST calls to `path` (below `/stores/{hash}`), any method. */
export const restPath =
  (path: string) =>
  (call: RecordedCall): boolean =>
    call.kind === 'rest' && call.path === path;

/** Matches storefront calls whose query text contains `text` (e.g. a root field or an operation name). */
export const storefrontQuery =
  (text: string) =>
  (call: RecordedCall): boolean =>
    call.kind === 'storefront' && (call.query ?? '').includes(text);

export interface RestAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
export type RestHandler = (call: RecordedCall) => RestAnswer;

// ---------------------------------------------------------------------------------------------------------
// The local storefront.

export interface FakeCustomer {
  entityId: number;
  email: string;
  customerGroupId: number;
  firstName: string;
  lastName: string;
}

export interface FakeAccount {
  email: string;
  password: string;
  customerId: number;
}

export const WHOLESALE_CUSTOMER: FakeCustomer = { entityId: 7, email: 'wholesale@example.com', customerGroupId: 2, firstName: 'Wanda', lastName: 'Wholesale' };
export const RETAIL_CUSTOMER: FakeCustomer = { entityId: 8, email: 'retail@example.com', customerGroupId: 1, firstName: 'Rita', lastName: 'Retail' };
export const ACCOUNTS: FakeAccount[] = [
  { email: 'wholesale@example.com', password: 'Wholesale1!', customerId: 7 },
  { email: 'retail@example.com', password: 'Retail1!', customerId: 8 },
];

interface StorefrontContext {
  customerId?: number;
}

interface ProductRow {
  id: string;
  entityId: number;
  sku: string;
  path: string;
  name: string;
  description: string;
}

/** Deterministic catalogue: products 101, 102, 103. */
export const PRODUCT_IDS = [101, 102, 103];
const products: ProductRow[] = PRODUCT_IDS.map((entityId) => ({
  id: Buffer.from(`Product:${entityId}`).toString('base64'),
  entityId,
  sku: `SKU-${entityId}`,
  path: `/product-${entityId}/`,
  name: `Product ${entityId}`,
  description: `<p>Product ${entityId}</p>`,
}));

/** The sandbox SDL (plus `extraSdl`) with simple deterministic resolvers. */
export function buildFakeStorefrontSchema(customers: Map<number, FakeCustomer>, extraSdl = ''): GraphQLSchema {
  const emptyPage = { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null };
  return makeExecutableSchema({
    typeDefs: [SANDBOX_SDL, extraSdl].filter(Boolean),
    resolvers: {
      Query: {
        site: () => ({}),
        customer: (_root: unknown, _args: unknown, ctx: StorefrontContext) => (ctx.customerId === undefined ? null : (customers.get(ctx.customerId) ?? null)),
        node: (_root: unknown, args: { id: string }) => products.find((p) => p.id === args.id) ?? null,
      },
      Node: { __resolveType: () => 'Product' },
      BulkPricingTier: { __resolveType: () => 'BulkPricingFixedPriceDiscount' },
      Error: { __resolveType: () => 'CartUnassignInaccessibleError' },
      CartUnassignError: { __resolveType: () => 'CartUnassignInaccessibleError' },
      Site: {
        categoryTree: () => [],
        products: (_site: unknown, args: { first?: number | null; entityIds?: number[] | null }) => {
          const wanted = args.entityIds?.length ? products.filter((p) => args.entityIds?.includes(p.entityId)) : products;
          const page = wanted.slice(0, args.first ?? 10);
          return {
            pageInfo: { ...emptyPage, startCursor: page.length ? 'c0' : null, endCursor: page.length ? `c${page.length - 1}` : null },
            edges: page.map((node, index) => ({ node, cursor: `c${index}` })),
            collectionInfo: { totalItems: wanted.length },
          };
        },
        product: (_site: unknown, args: { entityId?: number | null }) => products.find((p) => p.entityId === args.entityId) ?? null,
        settings: () => ({ storeName: 'In-process store', storeHash: TEST_STORE.storeHash, channelId: 1, status: 'LAUNCHED' }),
        cart: () => null,
      },
      Product: {
        plainTextDescription: (product: ProductRow) => product.name,
        addToCartUrl: (product: ProductRow) => `${TEST_STORE.storeUrl}/cart.php?action=add&product_id=${product.entityId}`,
        prices: () => null,
        variants: () => ({ pageInfo: emptyPage, edges: [] }),
      },
      Customer: { company: () => '', phone: () => '', customerGroupName: () => null },
      Mutation: {
        cart: () => ({}),
      },
      CartMutations: { createCart: () => ({ cart: null }), addCartLineItems: () => ({ cart: null }) },
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// The fake upstream.

export interface FakeUpstreamOptions {
  store: StoreConfig;
  customers?: FakeCustomer[];
  accounts?: FakeAccount[];
  /** Headers every normal storefront answer carries (e.g. `x-bc-graphql-complexity`). */
  storefrontHeaders?: Record<string, string>;
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/** Resolves after `promise`, or rejects as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function reply(status: number, body: string, headers: Record<string, string>): HttpReply {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { status, text: body, header: (name) => lower[name.toLowerCase()] };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class FakeUpstream {
  readonly calls: RecordedCall[] = [];
  readonly customers: Map<number, FakeCustomer>;
  readonly accounts: FakeAccount[];
  storefrontHeaders: Record<string, string>;
  private schema: GraphQLSchema;
  private readonly restBase: string;
  private readonly once: Array<{ target: Target; behaviour: Behaviour }> = [];
  private readonly always: Array<{ target: Target; behaviour: Behaviour }> = [];
  private readonly restHandlers = new Map<string, RestHandler>();

  constructor(private readonly options: FakeUpstreamOptions) {
    this.customers = new Map((options.customers ?? [WHOLESALE_CUSTOMER, RETAIL_CUSTOMER]).map((c) => [c.entityId, c]));
    this.accounts = options.accounts ?? ACCOUNTS;
    this.storefrontHeaders = options.storefrontHeaders ?? {};
    this.schema = buildFakeStorefrontSchema(this.customers);
    this.restBase = `${options.store.apiUrl}/stores/${encodeURIComponent(options.store.storeHash)}`;
    this.onRest('POST', '/v3/customers/validate-credentials', (call) => {
      const body = (call.json ?? {}) as { email?: string; password?: string };
      if (!body.email || !body.password) return { status: 422, body: { status: 422, title: 'email and password are required' } };
      const account = this.accounts.find((a) => a.email === body.email && a.password === body.password);
      return { status: 200, body: { is_valid: account !== undefined, customer_id: account?.customerId ?? null } };
    });
    this.onRest('POST', '/v3/pricing/products', (call) => {
      const body = (call.json ?? {}) as { items?: Array<{ product_id: number }> };
      const amount = (value: number) => ({ as_entered: value, entered_inclusive: false, tax_exclusive: value, tax_inclusive: value });
      return {
        status: 200,
        body: {
          data: (body.items ?? []).map((item) => ({
            product_id: item.product_id,
            variant_id: null,
            options: [],
            price: amount(item.product_id / 10),
            calculated_price: amount(item.product_id / 10),
            bulk_pricing: [],
          })),
        },
      };
    });
  }

  /** The storefront schema the fake serves (and answers introspection from). */
  get storefrontSchema(): GraphQLSchema {
    return this.schema;
  }

  /** Serve the sandbox SDL plus `extraSdl` from now on (a storefront whose schema changed). */
  setStorefrontExtension(extraSdl: string): void {
    this.schema = buildFakeStorefrontSchema(this.customers, extraSdl);
  }

  /** Normal answer of a REST `method path` (below `/stores/{hash}`). */
  onRest(method: HttpRequest['method'], path: string, handler: RestHandler): void {
    this.restHandlers.set(`${method} ${path}`, handler);
  }

  /** The next matching calls get these behaviours, one each, in order; later ones get the normal answer. */
  script(target: Target, ...behaviours: Behaviour[]): void {
    for (const behaviour of behaviours) this.once.push({ target, behaviour });
  }

  /** Every matching call gets `behaviour` until `reset()` (one-shot scripts win over it). */
  scriptAlways(target: Target, behaviour: Behaviour): void {
    this.always.push({ target, behaviour });
  }

  /** Forget scripted behaviours (recorded calls stay). */
  reset(): void {
    this.once.length = 0;
    this.always.length = 0;
  }

  /** Forget recorded calls (numbering starts again at 1). */
  clearCalls(): void {
    this.calls.length = 0;
  }

  callsTo(target: Target): RecordedCall[] {
    return this.calls.filter((call) => matches(target, call));
  }

  /** Resolves once `count` calls have been made (without moving any clock). */
  async waitForCalls(count: number, target: Target = 'any'): Promise<RecordedCall[]> {
    for (let turn = 0; turn < 2000; turn++) {
      if (this.callsTo(target).length >= count) return this.callsTo(target);
      await flush(1);
    }
    throw new Error(`expected ${count} upstream calls, saw ${this.callsTo(target).length}`);
  }

  /** The HttpClient handed to the gateway. */
  readonly request: HttpClient = async (request) => {
    const url = new URL(request.url);
    const isRest = request.url.startsWith(`${this.restBase}/`);
    const kind: RecordedCall['kind'] = request.url === this.options.store.storefrontUrl ? 'storefront' : isRest ? 'rest' : 'other';
    const json = parseJson(request.body);
    const graphqlBody = kind === 'storefront' ? ((json ?? {}) as { query?: string; operationName?: string | null }) : undefined;
    const call: RecordedCall = {
      seq: this.calls.length + 1,
      kind,
      method: request.method,
      url: request.url,
      path: isRest ? request.url.slice(this.restBase.length).split('?')[0] : url.pathname,
      headers: { ...request.headers },
      body: request.body,
      json,
      query: graphqlBody?.query,
      operationName: graphqlBody?.operationName ?? undefined,
      at: Date.now(),
    };
    this.calls.push(call);
    const onceIndex = this.once.findIndex((entry) => matches(entry.target, call));
    const behaviour =
      onceIndex >= 0 ? this.once.splice(onceIndex, 1)[0].behaviour : (this.always.find((entry) => matches(entry.target, call))?.behaviour ?? behave.answer());
    try {
      const answer = await this.perform(behaviour, call, request);
      call.outcome = answer.status;
      return answer;
    } catch (error) {
      call.outcome = 'rejected';
      throw error;
    } finally {
      call.endedAt = Date.now();
    }
  };

  private async perform(behaviour: Behaviour, call: RecordedCall, request: HttpRequest): Promise<HttpReply> {
    if (request.signal.aborted) throw abortError();
    switch (behaviour.kind) {
      case 'answer':
        return this.answer(call, request);
      case 'hang':
        return untilAborted(new Promise<HttpReply>(() => undefined), request.signal);
      case 'reject':
        throw new Error(behaviour.message);
      case 'reply':
        return reply(behaviour.status, behaviour.body, behaviour.headers);
      case 'delay': {
        let timer: ReturnType<typeof setTimeout> | undefined;
        try {
          await untilAborted(new Promise<void>((resolve) => (timer = setTimeout(resolve, behaviour.ms))), request.signal);
        } finally {
          clearTimeout(timer);
        }
        return this.perform(behaviour.then, call, request);
      }
      case 'hold':
        await untilAborted(behaviour.gate, request.signal);
        return this.perform(behaviour.then, call, request);
    }
  }

  private async answer(call: RecordedCall, request: HttpRequest): Promise<HttpReply> {
    if (call.kind === 'storefront') {
      const body = (call.json ?? {}) as { query?: string; variables?: Record<string, unknown>; operationName?: string | null };
      if (request.method !== 'POST' || typeof body.query !== 'string') return reply(400, '{"errors":[{"message":"bad request"}]}', {});
      const customerHeader = request.headers['x-bc-customer-id'];
      const result = await graphql({
        schema: this.schema,
        source: body.query,
        variableValues: body.variables ?? {},
        operationName: body.operationName ?? undefined,
        contextValue: { customerId: customerHeader === undefined ? undefined : Number(customerHeader) } satisfies StorefrontContext,
      });
      return reply(200, JSON.stringify(result), { 'content-type': 'application/json', ...this.storefrontHeaders });
    }
    if (call.kind === 'rest') {
      const handler = this.restHandlers.get(`${call.method} ${call.path}`);
      const answer = handler ? handler(call) : { status: 404, body: { status: 404, title: 'Not found (fake upstream)' } };
      return reply(answer.status, answer.body === undefined ? '' : JSON.stringify(answer.body), { 'content-type': 'application/json', ...answer.headers });
    }
    return reply(404, 'not found', {});
  }
}

function matches(target: Target, call: RecordedCall): boolean {
  if (target === 'any') return true;
  if (typeof target === 'function') return target(call);
  return call.kind === target;
}

// ---------------------------------------------------------------------------------------------------------
// No sockets: while an in-process gateway is alive, any attempt to connect fails loudly and is remembered.

let guards = 0;
let restoreGuard: (() => void) | undefined;
const networkAttempts: string[] = [];

function guardNetwork(): void {
  guards += 1;
  if (guards > 1) return;
  const connect = net.Socket.prototype.connect;
  const realFetch = globalThis.fetch;
  net.Socket.prototype.connect = function refuse(this: net.Socket, ...args: unknown[]): net.Socket {
    networkAttempts.push(`socket connect ${JSON.stringify(args[0])}`);
    throw new Error('in-process tier: no sockets (use the fake HttpClient)');
  } as typeof connect;
  globalThis.fetch = ((input: string | URL | Request) => {
    networkAttempts.push(`fetch ${String(input instanceof Request ? input.url : input)}`);
    return Promise.reject(new Error('in-process tier: no network (use the fake HttpClient)'));
  }) as typeof fetch;
  restoreGuard = () => {
    net.Socket.prototype.connect = connect;
    globalThis.fetch = realFetch;
  };
}

function releaseNetwork(): void {
  guards -= 1;
  if (guards > 0) return;
  restoreGuard?.();
  restoreGuard = undefined;
  if (networkAttempts.length) {
    const attempts = networkAttempts.splice(0);
    throw new Error(`in-process tier tried to use the network: ${attempts.join('; ')}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The gateway.

export interface InProcessOptions {
  config?: Partial<Omit<GatewayConfig, 'store'>>;
  store?: Partial<StoreConfig>;
  /** The business clock (sessions, JWTs, login windows); timers and deadlines use Date.now / setTimeout. */
  now?: () => number;
  stores?: GatewayStores;
  /** Start by introspecting the fake storefront (as a real start does) instead of handing the schema over. */
  introspect?: boolean;
  customers?: FakeCustomer[];
  accounts?: FakeAccount[];
  storefrontHeaders?: Record<string, string>;
}

export interface InProcessResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  body: {
    data?: T | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
    extensions?: Record<string, unknown>;
  };
}

export interface InProcessGateway {
  gateway: Gateway;
  http: FakeUpstream;
  config: GatewayConfig;
  /** Every log line the gateway wrote, as written (pino JSON). */
  logs: string[];
  /** Parsed log lines with this `msg`. */
  logEntries(msg?: string): Array<Record<string, unknown>>;
  /** POST /graphql through `yoga.fetch`. */
  fetchGraphQL<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<InProcessResponse<T>>;
  /** Any request through `yoga.fetch` (path relative to the gateway). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** GET /metrics as text. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export const GATEWAY_ORIGIN = 'http://gateway.invalid';

export async function createInProcessGateway(options: InProcessOptions = {}): Promise<InProcessGateway> {
  const store: StoreConfig = { ...TEST_STORE, ...options.store };
  // The documented defaults, as `npm start` would have them, then what these tests pin.
  const defaults = withStore(parseConfig({}), store);
  const config: GatewayConfig = {
    ...defaults,
    schemaRefreshSeconds: 0,
    // Off unless a test asks for it: the other suites count upstream calls and inject upstream faults.
    cache: { ...defaults.cache, enabled: false },
    ...options.config,
    session: { secret: SESSION_SECRET, ttlSeconds: 3600, cookieName: 'sfgw_session', cookieSecure: false, ...options.config?.session },
  };
  const http = new FakeUpstream({ store, customers: options.customers, accounts: options.accounts, storefrontHeaders: options.storefrontHeaders });
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(line) });

  guardNetwork();
  let gateway: Gateway;
  try {
    gateway = await createGateway(config, {
      http: http.request,
      storefrontSchema: options.introspect ? undefined : http.storefrontSchema,
      logger,
      now: options.now,
      stores: options.stores,
    });
  } catch (error) {
    releaseNetwork();
    throw error;
  }

  const fetchPath = (path: string, init?: RequestInit): Promise<Response> => Promise.resolve(gateway.yoga.fetch(`${GATEWAY_ORIGIN}${path}`, init ?? {}));
  return {
    gateway,
    http,
    config,
    logs,
    logEntries: (msg) =>
      logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => msg === undefined || entry.msg === msg),
    async fetchGraphQL<T>(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
      const response = await fetchPath('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      let body: InProcessResponse<T>['body'];
      try {
        body = JSON.parse(text) as InProcessResponse<T>['body'];
      } catch {
        throw new Error(`non-JSON response ${response.status}: ${text.slice(0, 200)}`);
      }
      return { status: response.status, headers: response.headers, text, body };
    },
    fetch: fetchPath,
    metrics: async () => (await fetchPath('/metrics')).text(),
    async close() {
      try {
        await gateway.close();
      } finally {
        releaseNetwork();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Fake-clock helpers.

/** A promise with its settlement observable synchronously. */
export function track<T>(promise: Promise<T>): { promise: Promise<T>; settled(): boolean } {
  let done = false;
  const settle = () => {
    done = true;
  };
  promise.then(settle, settle);
  return { promise, settled: () => done };
}

const realSetImmediate = setImmediate;

/**
 * jest's modern fake timers for `setTimeout`/`setInterval`/`Date` (what the resilience code and cockatiel
 * run on), leaving the job queues real: yoga, graphql-tools and jose schedule work with `process.nextTick`,
 * `queueMicrotask` and `setImmediate`, and a request would never progress if those waited for the clock.
 */
export function useFakeClock(): void {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
}

/** Lets pending promise chains (and native async work such as WebCrypto) run, without moving the fake clock. */
export async function flush(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => realSetImmediate(resolve));
}

/** Resolves `promise` without moving the fake clock: fails if it needs any time to pass (e.g. a fail-fast answer). */
export async function settleWithoutClock<T>(promise: Promise<T>, turns = 500): Promise<T> {
  const tracked = track(promise);
  for (let turn = 0; turn < turns && !tracked.settled(); turn++) await flush(1);
  if (!tracked.settled()) throw new Error('did not settle without the clock moving');
  return promise;
}

/** Advances jest's fake clock in steps until `promise` settles (at most `maxMs`); returns its value. */
export async function settleOnFakeClock<T>(promise: Promise<T>, options: { stepMs?: number; maxMs?: number } = {}): Promise<T> {
  const tracked = track(promise);
  const step = options.stepMs ?? 5;
  const max = options.maxMs ?? 60_000;
  for (let elapsed = 0; !tracked.settled() && elapsed <= max; elapsed += step) {
    await flush(3);
    if (tracked.settled()) break;
    await jest.advanceTimersByTimeAsync(step);
  }
  await flush(1);
  if (!tracked.settled()) throw new Error(`did not settle within ${max} ms of fake time`);
  return promise;
}
