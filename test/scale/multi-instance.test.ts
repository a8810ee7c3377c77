import { SANDBOX_DEFAULTS, type Sandbox } from '../../sandbox';
import type { StoreConfig } from '../../src/config';
import {
  graphql,
  httpJson,
  killAllGatewayProcesses,
  pollUntil,
  sessionCookie,
  spawnMain,
  startGatewayProcess,
  startProcessBackends,
  storeModeEnv,
  type GatewayProcess,
  type ProcessBackends,
  type GraphQLBody,
  type HttpResponse,
} from '../helpers/gateway-process';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';

/**
 * Scale-out guarantees over HTTP, with real processes: the compiled gateway (`node dist/src/main.js`) started
 * two or more times, or with GATEWAY_WORKERS=2, on one real redis-server, in front of one sandbox store. The
 * instances must behave as one system: a session and its logout, the login limits and single-use tokens hold
 * whichever instance a request reaches; and when Redis goes away they fail closed and recover on their own.
 */

const PREFIX = `scale-test-${process.pid}-${Date.now()}:`;
const SESSION_SECRET = 'scale-test-session-secret-0123456789-abcdefghij';
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_ATTEMPTS_PER_IP = 8;
const ATTEMPTS = 20;
const START_TIMEOUT_MS = 90_000;
/** Reconnection backoff tops out at ~2 s (src/state/redis-client.ts); generous for a loaded machine. */
const RECOVERY_LIMIT_MS = 30_000;

const WHOLESALE = { email: 'wholesale@example.com', pass: 'Wholesale1!' };
const RETAIL = { email: 'retail@example.com', pass: 'Retail1!' };

const LOGIN = `mutation Login($email: String!, $pass: String!) { login(email: $email, password: $pass) { result sessionToken customer { entityId email } } }`;
const LOGOUT = `mutation { logout { result } }`;
const ME = `{ customer { entityId email } }`;
const PRODUCTS = `{ site { products(first: 2) { edges { node { entityId name } } } } }`;
const LOGIN_URL = `mutation { customerLoginUrl(redirectTo: "/account.php") { url } }`;
const EXCHANGE = `mutation Open($jwt: String!) { loginWithCurrentCustomerJwt(currentCustomerJwt: $jwt) { sessionToken customer { entityId source } } }`;

type Customer = { entityId: number; email: string };
type LoginData = { login: { result: string; sessionToken: string; customer: Customer | null } };
type MeData = { customer: Customer | null };
type ProductsData = { site: { products: { edges: Array<{ node: { entityId: number; name: string } }> } } };
type ExchangeData = { loginWithCurrentCustomerJwt: { sessionToken: string; customer: { entityId: number; source: string } } };
type Readiness = { status: string; storefront: string; sharedState: string };

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codeOf = (response: HttpResponse<GraphQLBody<unknown>>): string | undefined => {
  const code = response.body.errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
};

/** What the sandbox store received: REST credential checks, the only upstream call a login makes before it succeeds. */
function validateCredentialCalls(sandbox: Sandbox): number {
  return sandbox.requestLog.filter((entry) => entry.method === 'POST' && entry.path.endsWith('/v3/customers/validate-credentials')).length;
}

const storeEnv = (store: StoreConfig) => storeModeEnv(store, SESSION_SECRET);

const limitsEnv = {
  GATEWAY_TRUST_PROXY: 'true',
  GATEWAY_LOGIN_MAX_FAILURES_PER_EMAIL: String(MAX_FAILURES_PER_EMAIL),
  GATEWAY_LOGIN_MAX_ATTEMPTS_PER_IP: String(MAX_ATTEMPTS_PER_IP),
};

/** With the per-email limit at 5: five wrong passwords reach the store, every later attempt is refused before it. */
const EMAIL_LIMIT_CODES = [...Array<string>(MAX_FAILURES_PER_EMAIL).fill('UNAUTHENTICATED'), ...Array<string>(ATTEMPTS - MAX_FAILURES_PER_EMAIL).fill('RATE_LIMITED')];
const IP_LIMIT_CODES = [...Array<string>(MAX_ATTEMPTS_PER_IP).fill('UNAUTHENTICATED'), ...Array<string>(ATTEMPTS - MAX_ATTEMPTS_PER_IP).fill('RATE_LIMITED')];

let sandbox: Sandbox;
let redis: RedisServer;
let store: StoreConfig;

let backends: ProcessBackends | undefined;

beforeAll(async () => {
  backends = await startProcessBackends();
  ({ sandbox, redis, store } = backends);
}, START_TIMEOUT_MS);

afterAll(() => backends?.close());

describe('two gateway processes on one Redis behave as one', () => {
  let a: GatewayProcess;
  let b: GatewayProcess;
  const env = () => ({ ...storeEnv(store), ...limitsEnv, REDIS_URL: redis.url, REDIS_KEY_PREFIX: `${PREFIX}pair:` });

  beforeAll(async () => {
    [a, b] = await Promise.all([startGatewayProcess(env()), startGatewayProcess(env())]);
  }, START_TIMEOUT_MS);
  afterAll(() => killAllGatewayProcesses());

  it('runs two separate processes on two ports', () => {
    expect(a.child.pid).not.toBe(b.child.pid);
    expect(a.origin).not.toBe(b.origin);
  });

  it('a session opened on A works on B (bearer and cookie); a logout on B ends it on A at once', async () => {
    const login = await graphql<LoginData>(a.graphqlUrl, LOGIN, WHOLESALE, { 'x-forwarded-for': '192.0.2.1' });
    expect(login.body.errors).toBeUndefined();
    const { sessionToken, customer } = login.body.data!.login;
    expect(customer?.email).toBe(WHOLESALE.email);
    const cookie = sessionCookie(login);
    const credentials = [bearer(sessionToken), { cookie }];

    const guest = await graphql<MeData>(b.graphqlUrl, ME);
    expect(guest.body.data?.customer).toBeNull();
    for (const headers of credentials) {
      const me = await graphql<MeData>(b.graphqlUrl, ME, {}, headers);
      expect(me.status).toBe(200);
      expect(me.body.errors).toBeUndefined();
      expect(me.body.data?.customer).toEqual(customer);
    }

    const logout = await graphql<{ logout: { result: string } }>(b.graphqlUrl, LOGOUT, {}, bearer(sessionToken));
    expect(logout.body.errors).toBeUndefined();
    expect(logout.body.data?.logout.result).toBe('success');

    for (const gateway of [a, b]) {
      for (const headers of credentials) {
        const refused = await graphql<MeData>(gateway.graphqlUrl, ME, {}, headers);
        expect(refused.status).toBe(401);
        expect(codeOf(refused)).toBe('UNAUTHENTICATED');
        expect(refused.body.data ?? null).toBeNull();
      }
    }
  });

  /** `count` wrong passwords, one after another, on `targets` in turn; each attempt from its own client address unless `xff` says otherwise. */
  async function wrongPasswords(targets: GatewayProcess[], attempt: (i: number) => { email: string; xff: string }): Promise<string[]> {
    const codes: string[] = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      const { email, xff } = attempt(i);
      const response = await graphql<LoginData>(targets[i % targets.length].graphqlUrl, LOGIN, { email, pass: 'not-the-password' }, { 'x-forwarded-for': xff });
      codes.push(codeOf(response) ?? `no error (HTTP ${response.status})`);
    }
    return codes;
  }

  it('the per-email limit trips after as many failures spread over A and B as on A alone; the store sees no more', async () => {
    const alone = await wrongPasswords([a], (i) => ({ email: 'limit-alone@example.com', xff: `198.51.100.${i + 1}` }));
    expect(alone).toEqual(EMAIL_LIMIT_CODES);

    const before = validateCredentialCalls(sandbox);
    const spread = await wrongPasswords([a, b], (i) => ({ email: 'limit-spread@example.com', xff: `198.51.100.${i + 101}` }));
    expect(spread).toEqual(alone);
    expect(validateCredentialCalls(sandbox) - before).toBe(MAX_FAILURES_PER_EMAIL);

    // The limit is on the email, not on the instance: the right password is refused too, on both.
    for (const gateway of [a, b]) {
      const right = await graphql<LoginData>(gateway.graphqlUrl, LOGIN, { email: 'limit-spread@example.com', pass: 'whatever' }, { 'x-forwarded-for': '198.51.100.250' });
      expect(codeOf(right)).toBe('RATE_LIMITED');
    }
  });

  it('the per-address limit counts attempts from one client (right-most X-Forwarded-For entry) across A and B', async () => {
    const before = validateCredentialCalls(sandbox);
    // The entry left of the trusted hop's is the client's own text: it changes every time and must not matter.
    const codes = await wrongPasswords([a, b], (i) => ({ email: `ip-limit-${i}@example.com`, xff: `10.0.${i}.1, 203.0.113.77` }));
    expect(codes).toEqual(IP_LIMIT_CODES);
    expect(validateCredentialCalls(sandbox) - before).toBe(MAX_ATTEMPTS_PER_IP);
    // Another client address is not affected.
    const other = await graphql<LoginData>(b.graphqlUrl, LOGIN, RETAIL, { 'x-forwarded-for': '203.0.113.78' });
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data?.login.customer?.email).toBe(RETAIL.email);
  });

  it('a Current Customer JWT exchanged on A is refused on B, and still after both are restarted', async () => {
    const login = await graphql<LoginData>(a.graphqlUrl, LOGIN, WHOLESALE, { 'x-forwarded-for': '192.0.2.2' });
    expect(login.body.errors).toBeUndefined();
    const { sessionToken, customer } = login.body.data!.login;
    // A storefront session at the store (Customer Login API), then its Current Customer JWT, as a returning shopper has.
    const url = await graphql<{ customerLoginUrl: { url: string } }>(a.graphqlUrl, LOGIN_URL, {}, bearer(sessionToken));
    expect(url.body.errors).toBeUndefined();
    const storefrontLogin = await fetch(url.body.data!.customerLoginUrl.url, { redirect: 'manual' });
    expect(storefrontLogin.headers.get('location')).toBe('/account.php');
    const storefrontCookie = storefrontLogin.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const jwtResponse = await fetch(`${sandbox.url}/customer/current.jwt?app_client_id=${store.clientId}`, { headers: { cookie: storefrontCookie } });
    expect(jwtResponse.status).toBe(200);
    const jwt = await jwtResponse.text();

    const opened = await graphql<ExchangeData>(a.graphqlUrl, EXCHANGE, { jwt });
    expect(opened.body.errors).toBeUndefined();
    expect(opened.body.data?.loginWithCurrentCustomerJwt.customer).toEqual({ entityId: customer?.entityId, source: 'CURRENT_CUSTOMER_JWT' });
    const exchangedSession = opened.body.data!.loginWithCurrentCustomerJwt.sessionToken;

    const replayed = await graphql<ExchangeData>(b.graphqlUrl, EXCHANGE, { jwt });
    expect(replayed.body.data?.loginWithCurrentCustomerJwt ?? null).toBeNull();
    expect(replayed.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ALREADY_USED' });

    const [oldA, oldB] = [a, b];
    [a, b] = await Promise.all([a.respawn(), b.respawn()]);
    expect(oldA.child.exitCode ?? oldA.child.signalCode).not.toBeNull();
    expect(oldB.child.exitCode ?? oldB.child.signalCode).not.toBeNull();
    expect([a.child.pid, b.child.pid]).not.toContain(oldA.child.pid);

    for (const gateway of [a, b]) {
      const again = await graphql<ExchangeData>(gateway.graphqlUrl, EXCHANGE, { jwt });
      expect(again.body.data?.loginWithCurrentCustomerJwt ?? null).toBeNull();
      expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ALREADY_USED' });
    }
    // The new processes are not refusing everything: the session the exchange opened still works on both.
    for (const gateway of [a, b]) {
      const me = await graphql<MeData>(gateway.graphqlUrl, ME, {}, bearer(exchangedSession));
      expect(me.body.errors).toBeUndefined();
      expect(me.body.data?.customer).toEqual(customer);
    }
  }, 120_000);
});

describe('GATEWAY_WORKERS=2 on Redis (sandbox mode, as npm start): workers behave as one', () => {
  let primary: GatewayProcess;

  beforeAll(async () => {
    primary = await startGatewayProcess({ GATEWAY_WORKERS: '2', REDIS_URL: redis.url, REDIS_KEY_PREFIX: `${PREFIX}workers:`, ...limitsEnv });
  }, START_TIMEOUT_MS);
  afterAll(() => killAllGatewayProcesses());

  /** The worker that answered: its `graphql request` log line carries the response's request id. */
  async function workerOf(response: HttpResponse): Promise<number> {
    const { requestId } = response;
    if (requestId === undefined) throw new Error('response without x-request-id');
    const line = await primary.waitForLog((r) => r.msg === 'graphql request' && r.requestId === requestId, 10_000);
    if (typeof line.worker !== 'number') throw new Error(`request log line without a worker id: ${JSON.stringify(line)}`);
    return line.worker;
  }

  /** Sends requests (each on a new connection) until one is answered by a worker for which `wanted` holds. */
  async function untilWorker<T>(send: () => Promise<HttpResponse<T>>, wanted: (worker: number) => boolean): Promise<{ response: HttpResponse<T>; worker: number; all: Array<HttpResponse<T>> }> {
    const all: Array<HttpResponse<T>> = [];
    for (let i = 0; i < 50; i++) {
      const response = await send();
      all.push(response);
      const worker = await workerOf(response);
      if (wanted(worker)) return { response, worker, all };
    }
    throw new Error('50 requests and no worker of the wanted kind answered');
  }

  it('serves one port from two worker processes, both of which answer', async () => {
    expect(primary.servingPids).toHaveLength(2);
    expect(primary.servingPids).not.toContain(primary.child.pid);
    const seen = new Set<number>();
    for (let i = 0; i < 50 && seen.size < 2; i++) {
      const response = await graphql<ProductsData>(primary.graphqlUrl, PRODUCTS);
      expect(response.body.errors).toBeUndefined();
      seen.add(await workerOf(response));
    }
    expect(seen.size).toBe(2);
  });

  it('a session opened on one worker works on the other; a logout on either ends it on both', async () => {
    const login = await graphql<LoginData>(primary.graphqlUrl, LOGIN, WHOLESALE, { 'x-forwarded-for': '192.0.2.50' });
    expect(login.body.errors).toBeUndefined();
    const { sessionToken, customer } = login.body.data!.login;
    expect(customer?.email).toBe(WHOLESALE.email);
    const loginWorker = await workerOf(login);
    const cookie = sessionCookie(login);

    for (const headers of [bearer(sessionToken), { cookie }]) {
      const other = await untilWorker(() => graphql<MeData>(primary.graphqlUrl, ME, {}, headers), (w) => w !== loginWorker);
      for (const response of other.all) {
        expect(response.body.errors).toBeUndefined();
        expect(response.body.data?.customer).toEqual(customer);
      }
    }

    const logout = await graphql<{ logout: { result: string } }>(primary.graphqlUrl, LOGOUT, {}, bearer(sessionToken));
    expect(logout.body.data?.logout.result).toBe('success');
    const logoutWorker = await workerOf(logout);
    for (const headers of [bearer(sessionToken), { cookie }]) {
      const refusedElsewhere = await untilWorker(() => graphql<MeData>(primary.graphqlUrl, ME, {}, headers), (w) => w !== logoutWorker);
      const refusedHere = await untilWorker(() => graphql<MeData>(primary.graphqlUrl, ME, {}, headers), (w) => w === logoutWorker);
      for (const response of [...refusedElsewhere.all, ...refusedHere.all]) {
        expect(response.status).toBe(401);
        expect(codeOf(response)).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('the login limits count attempts across workers', async () => {
    const emailWorkers = new Set<number>();
    const emailCodes: string[] = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      const response = await graphql<LoginData>(primary.graphqlUrl, LOGIN, { email: 'workers-limit@example.com', pass: 'wrong' }, { 'x-forwarded-for': `198.51.100.${i + 1}` });
      emailCodes.push(codeOf(response) ?? 'no error');
      emailWorkers.add(await workerOf(response));
    }
    expect(emailWorkers.size).toBe(2);
    expect(emailCodes).toEqual(EMAIL_LIMIT_CODES);

    const ipWorkers = new Set<number>();
    const ipCodes: string[] = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      const response = await graphql<LoginData>(primary.graphqlUrl, LOGIN, { email: `workers-ip-${i}@example.com`, pass: 'wrong' }, { 'x-forwarded-for': `10.1.${i}.1, 203.0.113.90` });
      ipCodes.push(codeOf(response) ?? 'no error');
      ipWorkers.add(await workerOf(response));
    }
    expect(ipWorkers.size).toBe(2);
    expect(ipCodes).toEqual(IP_LIMIT_CODES);
  });

  it('a Current Customer JWT exchanged on one worker is refused on the other', async () => {
    const login = await graphql<LoginData>(primary.graphqlUrl, LOGIN, RETAIL, { 'x-forwarded-for': '192.0.2.51' });
    expect(login.body.errors).toBeUndefined();
    const { sessionToken, customer } = login.body.data!.login;
    // The embedded sandbox (in the primary) is the store: the login URL points at it.
    const url = await graphql<{ customerLoginUrl: { url: string } }>(primary.graphqlUrl, LOGIN_URL, {}, bearer(sessionToken));
    const loginUrl = new URL(url.body.data!.customerLoginUrl.url);
    const storefrontLogin = await fetch(loginUrl, { redirect: 'manual' });
    const storefrontCookie = storefrontLogin.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const jwtResponse = await fetch(`${loginUrl.origin}/customer/current.jwt?app_client_id=${SANDBOX_DEFAULTS.clientId}`, { headers: { cookie: storefrontCookie } });
    expect(jwtResponse.status).toBe(200);
    const jwt = await jwtResponse.text();

    const opened = await graphql<ExchangeData>(primary.graphqlUrl, EXCHANGE, { jwt });
    expect(opened.body.errors).toBeUndefined();
    expect(opened.body.data?.loginWithCurrentCustomerJwt.customer.entityId).toBe(customer?.entityId);
    const openedBy = await workerOf(opened);
    const replays = await untilWorker(() => graphql<ExchangeData>(primary.graphqlUrl, EXCHANGE, { jwt }), (w) => w !== openedBy);
    for (const replayed of replays.all) {
      expect(replayed.body.data?.loginWithCurrentCustomerJwt ?? null).toBeNull();
      expect(replayed.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ALREADY_USED' });
    }
  });

  it('GATEWAY_WORKERS=2 without REDIS_URL refuses to start, naming REDIS_URL', async () => {
    const refused = spawnMain({ GATEWAY_WORKERS: '2', PORT: '0', HOST: '127.0.0.1' });
    try {
      const code = await refused.exited;
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(refused.output().stderr).toContain('REDIS_URL');
      expect(refused.logs().some((r) => r.msg === 'gateway listening' || r.msg === 'gateway workers listening')).toBe(false);
    } finally {
      if (refused.child.exitCode === null) refused.child.kill('SIGKILL');
    }
  });
});

describe('Redis stopped mid-run: guests served, identity fails closed, recovery without a gateway restart', () => {
  let durable: RedisServer;
  let gateway: GatewayProcess;
  let loggedOut: string;
  let live: { token: string; customer: Customer };

  beforeAll(async () => {
    durable = await startRedisServer({ durable: true });
    gateway = await startGatewayProcess({ ...storeEnv(store), REDIS_URL: durable.url, REDIS_KEY_PREFIX: `${PREFIX}outage:`, GATEWAY_LOGIN_MAX_ATTEMPTS_PER_IP: '10000' });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await killAllGatewayProcesses();
    await durable?.stop();
  });

  const products = () => graphql<ProductsData>(gateway.graphqlUrl, PRODUCTS);
  const ready = () => httpJson<Readiness>(`${gateway.origin}/ready`);

  it('before the outage: one session logged out, one live', async () => {
    const first = await graphql<LoginData>(gateway.graphqlUrl, LOGIN, WHOLESALE);
    expect(first.body.errors).toBeUndefined();
    loggedOut = first.body.data!.login.sessionToken;
    const out = await graphql<{ logout: { result: string } }>(gateway.graphqlUrl, LOGOUT, {}, bearer(loggedOut));
    expect(out.body.data?.logout.result).toBe('success');
    expect((await graphql<MeData>(gateway.graphqlUrl, ME, {}, bearer(loggedOut))).status).toBe(401);

    const second = await graphql<LoginData>(gateway.graphqlUrl, LOGIN, RETAIL);
    expect(second.body.errors).toBeUndefined();
    live = { token: second.body.data!.login.sessionToken, customer: second.body.data!.login.customer! };
    expect((await graphql<MeData>(gateway.graphqlUrl, ME, {}, bearer(live.token))).body.data?.customer).toEqual(live.customer);
    expect((await ready()).body.sharedState).toBe('ok');

    await durable.stop();
  });

  it('guests still get products, with no error', async () => {
    const response = await products();
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.site.products.edges).toHaveLength(2);
  });

  it('a login fails closed with UNAVAILABLE before the store is asked', async () => {
    const before = validateCredentialCalls(sandbox);
    const response = await graphql<LoginData>(gateway.graphqlUrl, LOGIN, WHOLESALE);
    expect(codeOf(response)).toBe('UNAVAILABLE');
    expect(response.body.data?.login ?? null).toBeNull();
    expect(response.headers['set-cookie'] ?? []).toEqual([]);
    expect(validateCredentialCalls(sandbox)).toBe(before);
  });

  it('a request with a session gets UNAVAILABLE (HTTP 503), not UNAUTHENTICATED — for a live and a logged-out session alike', async () => {
    for (const token of [live.token, loggedOut]) {
      const response = await graphql<MeData>(gateway.graphqlUrl, ME, {}, bearer(token));
      expect(response.status).toBe(503);
      expect(codeOf(response)).toBe('UNAVAILABLE');
      expect(response.body.data?.customer ?? null).toBeNull();
    }
  });

  it('/ready stays 200 (guests are served) and says the shared state is unavailable', async () => {
    // One probe's answer is shared for about a second: the one from before the outage may still be served.
    const response = await pollUntil('/ready reporting the outage', async () => {
      const answer = await ready();
      return answer.body.sharedState === 'unavailable' ? answer : undefined;
    }, 5000);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'degraded', storefront: 'ok', sharedState: 'unavailable' });
  });

  it('after Redis restarts on the same port, everything works again without restarting the gateway', async () => {
    const pid = gateway.child.pid;
    await durable.restart();
    const seen = new Set<string>();
    const login = await pollUntil(
      'a login after Redis returned',
      async () => {
        const response = await graphql<LoginData>(gateway.graphqlUrl, LOGIN, WHOLESALE);
        seen.add(codeOf(response) ?? 'success');
        return response.body.data?.login ? response : undefined;
      },
      RECOVERY_LIMIT_MS,
      200,
    );
    // While it reconnects, logins fail closed as UNAVAILABLE only (never a wrong-credentials answer).
    expect([...seen].filter((code) => code !== 'success' && code !== 'UNAVAILABLE')).toEqual([]);
    expect(login.body.data?.login.customer?.email).toBe(WHOLESALE.email);
    expect(gateway.child.pid).toBe(pid);
    expect(gateway.child.exitCode).toBeNull();

    const newSession = await graphql<MeData>(gateway.graphqlUrl, ME, {}, bearer(login.body.data!.login.sessionToken));
    expect(newSession.body.data?.customer?.email).toBe(WHOLESALE.email);
    const survivor = await graphql<MeData>(gateway.graphqlUrl, ME, {}, bearer(live.token));
    expect(survivor.body.errors).toBeUndefined();
    expect(survivor.body.data?.customer).toEqual(live.customer);
    // The logout from before the outage still holds.
    const revoked = await graphql<MeData>(gateway.graphqlUrl, ME, {}, bearer(loggedOut));
    expect(revoked.status).toBe(401);
    expect(codeOf(revoked)).toBe('UNAUTHENTICATED');

    const readiness = await pollUntil('/ready after the recovery', async () => {
      const answer = await ready();
      return answer.body.sharedState === 'ok' ? answer : undefined;
    }, 5000);
    expect(readiness.status).toBe(200);
    expect(readiness.body).toMatchObject({ status: 'ready', sharedState: 'ok' });
    expect((await products()).body.data?.site.products.edges).toHaveLength(2);
  }, RECOVERY_LIMIT_MS + 30_000);
});
