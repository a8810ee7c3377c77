import { decodeJwt, SignJWT } from 'jose';
import type { Sandbox } from '../../sandbox';
import { parseConfig } from '../../src/config';
import { startProxiedStack, type FaultProxy, type ProxiedStack } from '../helpers/fault-proxy';
import { gql, loginAs, startGateway, WHOLESALE, type GatewayServer } from '../helpers/stack';

/**
 * Security findings, each tested as a class over real HTTP (sandbox → fault proxy → gateway): every case
 * asserts the error code and that the gateway still answers a normal query afterwards. The gateway trusts
 * one proxy hop here (GATEWAY_TRUST_PROXY=true): the client is the right-most X-Forwarded-For entry.
 */
const CLIENT_SECRET = 'security-suite-client-secret-0123456789';
const TRUSTED_PROXY_SECRET = 'security-suite-trusted-proxy-secret';
const NORMAL = `{ site { settings { storeName } product(entityId: 100) { name } } }`;
const OPEN = `mutation Open($jwt: String!) { loginWithCurrentCustomerJwt(currentCustomerJwt: $jwt) { sessionToken customer { entityId } } }`;
const LOGIN_URL = `mutation Url($redirectTo: String) { customerLoginUrl(redirectTo: $redirectTo) { url redirectTo } }`;
const LOGIN = `mutation Login($email: String!, $pass: String!) { login(email: $email, password: $pass) { result } }`;
const MAX_ATTEMPTS_PER_IP = 6;

let stack: ProxiedStack;
let sandbox: Sandbox;
let proxy: FaultProxy;
let gateway: GatewayServer;
let ipCounter = 0;
const freshIp = (): string => `198.51.100.${++ipCounter}`;
const upstreamGraphql = () => proxy.requests.filter((r) => r.path === '/graphql');
const errorLogLines = () => gateway.logs.filter((line) => /"level":(50|60)/.test(line));

async function expectStillServing(): Promise<void> {
  const response = await gql<{ site: { product: { name: string } } }>(gateway.graphqlUrl, NORMAL, {}, { 'x-forwarded-for': freshIp() });
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data?.site.product.name).toEqual(expect.any(String));
}

beforeAll(async () => {
  stack = await startProxiedStack({
    sandbox: { clientSecret: CLIENT_SECRET, rateLimitQuota: 100_000 },
    through: ['storefront', 'rest'],
    store: { trustedProxySecret: TRUSTED_PROXY_SECRET },
    config: {
      trustProxy: true,
      loginLimits: { windowSeconds: 600, maxAttemptsPerIp: MAX_ATTEMPTS_PER_IP, maxFailuresPerEmail: 50 },
      limits: { ...parseConfig({}).limits, fieldSuggestions: false },
    },
  });
  ({ sandbox, proxy, gateway } = stack);
});
afterAll(() => stack.close());
beforeEach(() => {
  proxy.clearFaults();
  proxy.requests.length = 0;
});
afterEach(async () => {
  await expectStillServing();
});

/** A genuine Current Customer JWT, the way a shopper gets one: log in on the storefront, ask /customer/current.jwt. */
async function currentCustomerJwt(): Promise<string> {
  // No X-Forwarded-For: the client is the socket peer, the address the sandbox checks `request_ip` against.
  const session = await loginAs(gateway.graphqlUrl, WHOLESALE);
  const issued = await gql<{ customerLoginUrl: { url: string } }>(gateway.graphqlUrl, LOGIN_URL, {}, { cookie: session.cookie });
  const login = await fetch(issued.body.data!.customerLoginUrl.url, { redirect: 'manual' });
  const storefrontCookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const response = await fetch(`${sandbox.url}/customer/current.jwt?app_client_id=${sandbox.identity.clientId}`, { headers: { cookie: storefrontCookie } });
  expect(response.status).toBe(200);
  return response.text();
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Spellings of one token that lenient base64url decoders read as the same token. */
function reencodings(jwt: string): string[] {
  const parts = jwt.split('.');
  const at = (index: number, change: (segment: string) => string) => parts.map((p, i) => (i === index ? change(p) : p)).join('.');
  const variants: string[] = [];
  for (const index of [0, 1, 2]) {
    variants.push(at(index, (s) => `${s}=`), at(index, (s) => `${s}==`), at(index, (s) => `${s.slice(0, 4)} ${s.slice(4)}`), at(index, (s) => `${s}\n`));
    variants.push(at(index, (s) => s.replace(/-/g, '+').replace(/_/g, '/') + (/[-_]/.test(s) ? '' : '+')));
    const unused = ({ 2: 4, 3: 2 } as Record<number, number>)[parts[index].length % 4];
    if (unused) variants.push(at(index, (s) => s.slice(0, -1) + ALPHABET[ALPHABET.indexOf(s[s.length - 1]) | 1]));
  }
  variants.push(`${jwt}.`, `${jwt}.${parts[2]}`, ` ${jwt}`, `${jwt}\t`);
  return [...new Set(variants)].filter((variant) => variant !== jwt);
}

describe('single-use Current Customer JWTs', () => {
  it('one token re-encoded many ways opens exactly one session', async () => {
    const jwt = await currentCustomerJwt();
    const variants = reencodings(jwt);
    expect(variants.length).toBeGreaterThanOrEqual(15);
    // Concurrently, variants and the original mixed: whichever arrives first, one session only.
    const responses = await Promise.all([...variants, jwt, ...variants.slice(0, 3), jwt].map((candidate) => gql(gateway.graphqlUrl, OPEN, { jwt: candidate })));
    const opened = responses.filter((r) => r.body.errors === undefined);
    expect(opened).toHaveLength(1);
    expect(opened[0].headers.getSetCookie().some((c) => c.startsWith('sfgw_session='))).toBe(true);
    for (const refused of responses.filter((r) => r.body.errors !== undefined)) {
      expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: expect.stringMatching(/^(MALFORMED|ALREADY_USED)$/) });
      expect(refused.headers.getSetCookie()).toEqual([]);
      expect(JSON.stringify(refused.body)).not.toContain(WHOLESALE.email);
    }
    // Re-encodings are refused outright, also once the token is spent.
    for (const variant of variants.slice(0, 4)) {
      expect((await gql(gateway.graphqlUrl, OPEN, { jwt: variant })).body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MALFORMED' });
    }
    expect((await gql(gateway.graphqlUrl, OPEN, { jwt })).body.errors?.[0].extensions).toMatchObject({ reason: 'ALREADY_USED' });
  });

  it('two different tokens carrying one jti open one session', async () => {
    const shopper = decodeJwt(await currentCustomerJwt());
    const sign = (iat: number) =>
      new SignJWT({ ...shopper, jti: 'one-jti', iat, exp: iat + 900 }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(CLIENT_SECRET));
    const now = Math.floor(Date.now() / 1000);
    const first = await gql(gateway.graphqlUrl, OPEN, { jwt: await sign(now) });
    expect(first.body.errors).toBeUndefined();
    const second = await gql(gateway.graphqlUrl, OPEN, { jwt: await sign(now - 1) });
    expect(second.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ALREADY_USED' });
  });

  it('refuses tokens living longer than BigCommerce issues them (15 minutes)', async () => {
    const shopper = decodeJwt(await currentCustomerJwt());
    const now = Math.floor(Date.now() / 1000);
    const longLived = await new SignJWT({ ...shopper, iat: now, exp: now + 901 }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(CLIENT_SECRET));
    for (const op of [OPEN, `query C($jwt: String) { currentCustomer(currentCustomerJwt: $jwt) { entityId } }`]) {
      const response = await gql(gateway.graphqlUrl, op, { jwt: longLived });
      expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLAIM_INVALID' });
    }
  });
});

describe('client address behind a proxy that appends to X-Forwarded-For', () => {
  it('keeps the per-address login limit whatever the client writes left of the real entry', async () => {
    const real = freshIp();
    const spoofs = ['1.2.3.4', '10.0.0.1, 1.2.3.4', 'garbage', `${freshIp()}, ${freshIp()}`, '::1', '[2001:db8::1]:443', 'unknown', '203.0.113.1:80', ' ', '127.0.0.1'];
    const codes: string[] = [];
    for (const spoof of spoofs) {
      const response = await gql(gateway.graphqlUrl, LOGIN, { email: `nobody-${codes.length}@example.com`, pass: 'x' }, { 'x-forwarded-for': `${spoof}, ${real}` });
      codes.push(String(response.body.errors?.[0].extensions?.code));
    }
    expect(codes.slice(0, MAX_ATTEMPTS_PER_IP).every((code) => code !== 'RATE_LIMITED')).toBe(true);
    expect(codes.slice(MAX_ATTEMPTS_PER_IP).every((code) => code === 'RATE_LIMITED')).toBe(true);
    // The same address through two X-Forwarded-For header lines is the same client.
    const headers = new Headers({ 'content-type': 'application/json' });
    headers.append('x-forwarded-for', '9.9.9.9');
    headers.append('x-forwarded-for', real);
    const split = await fetch(gateway.graphqlUrl, { method: 'POST', headers, body: JSON.stringify({ query: LOGIN, variables: { email: 'split@example.com', pass: 'x' } }) });
    expect(((await split.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('RATE_LIMITED');
    // Another client behind the same proxy is not affected.
    const other = await gql(gateway.graphqlUrl, LOGIN, { email: 'nobody@example.com', pass: 'x' }, { 'x-forwarded-for': `${real}, ${freshIp()}` });
    expect(other.body.errors?.[0].extensions?.code).not.toBe('RATE_LIMITED');
  });

  it('sends the right-most address as True-Client-IP and signs it as request_ip', async () => {
    const real = freshIp();
    const session = await loginAs(gateway.graphqlUrl, WHOLESALE);
    proxy.requests.length = 0;
    const read = await gql(gateway.graphqlUrl, `{ site { settings { storeName } } }`, {}, { 'x-forwarded-for': `6.6.6.6, ${real}` });
    expect(read.body.errors).toBeUndefined();
    expect(upstreamGraphql()[0].headers['true-client-ip']).toBe(real);
    const url = await gql<{ customerLoginUrl: { url: string } }>(gateway.graphqlUrl, LOGIN_URL, {}, { cookie: session.cookie, 'x-forwarded-for': `6.6.6.6, ${real}` });
    expect(decodeJwt(url.body.data!.customerLoginUrl.url.split('/login/token/')[1]).request_ip).toBe(real);
  });

  it('trusts a configured list of proxy addresses, and only those', async () => {
    const behindList = await startGateway(sandbox, { config: { trustProxy: ['10.0.0.0/8', '127.0.0.0/8', '::1'] } });
    try {
      const session = await loginAs(behindList.graphqlUrl, WHOLESALE);
      const requestIp = async (xff: string) => {
        const response = await gql<{ customerLoginUrl: { url: string } }>(behindList.graphqlUrl, LOGIN_URL, {}, { cookie: session.cookie, 'x-forwarded-for': xff });
        return decodeJwt(response.body.data!.customerLoginUrl.url.split('/login/token/')[1]).request_ip;
      };
      // 127.0.0.1 (the socket peer) and 10.x are proxies: the first address outside the list is the client.
      expect(await requestIp('6.6.6.6, 203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
      expect(await requestIp('10.9.9.9, 203.0.113.9')).toBe('203.0.113.9');
      expect(await requestIp('203.0.113.9, junk')).toBe('127.0.0.1');
    } finally {
      await behindList.close();
    }
  });
});

describe('validation work is bounded before validation', () => {
  const PRODUCTS = 'products { edges { node { name } } } ';
  it.each<[string, string]>([
    ['17.5 KB of one repeated selection', `{ site { ${PRODUCTS.repeat(490)} } }`],
    ['the repetition in a fragment', `query Q { site { ...F } } fragment F on Site { ${PRODUCTS.repeat(400)} }`],
    ['the repetition in inline fragments', `{ site { ${`... on Site { ${PRODUCTS.repeat(20)} } `.repeat(20)} } }`],
    ['one fragment spread many times', `{ site { ${'...F '.repeat(600)} } } fragment F on Site { ${PRODUCTS} }`],
    ['nested spreads of one fragment', `{ site { ...F4 } } fragment F0 on Site { ${PRODUCTS} } ${[1, 2, 3, 4].map((i) => `fragment F${i} on Site { ${`...F${i - 1} `.repeat(6)} }`).join(' ')}`],
    ['a leaf repeated in one set', `{ site { product(entityId: 100) { ${'name '.repeat(400)} } } }`],
    ['aliased repetitions', `{ site { ${Array.from({ length: 25 }, (_, i) => `a${i}: products { edges { node { ${'name '.repeat(40)} } } }`).join(' ')} } }`],
    ['a mutation full of repetition', `mutation { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 100 }] }) { ${'cart { entityId } '.repeat(300)} } } }`],
  ])('refuses %s with MAX_SELECTIONS and no upstream call', async (_name, query) => {
    const response = await gql(gateway.graphqlUrl, query, {}, { 'x-forwarded-for': freshIp() });
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MAX_SELECTIONS' });
    expect(upstreamGraphql()).toHaveLength(0);
  });

  it('accepts a large legitimate query', async () => {
    const money = 'value currencyCode formattedV2';
    const prices = `prices { price { ${money} } salePrice { ${money} } basePrice { ${money} } retailPrice { ${money} } saved { ${money} } priceRange { min { ${money} } max { ${money} } } bulkPricing { minimumQuantity maximumQuantity } }`;
    const card = `fragment Card on Product { entityId name path sku ${prices} }`;
    const details = `fragment Details on Product { entityId name description plainTextDescription addToCartUrl ${prices} variants(first: 10) { edges { node { entityId sku isPurchasable ${prices} } } } }`;
    const query = `query Page { site { settings { storeName storeHash channelId status } categoryTree { entityId name path productCount children { entityId name path } }
      product(entityId: 100) { ...Card ...Details }
      products(first: 10) { pageInfo { hasNextPage endCursor } edges { cursor node { ...Card } } } } } ${card} ${details}`;
    const response = await gql<{ site: { product: { name: string }; products: { edges: unknown[] } } }>(gateway.graphqlUrl, query, {}, { 'x-forwarded-for': freshIp() });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.site.product.name).toEqual(expect.any(String));
    expect(response.body.data?.site.products.edges.length).toBeGreaterThan(0);
  });
});

describe('every client-caused error carries a code, without suggestions or error-level logs', () => {
  const get = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${gateway.graphqlUrl}?${new URLSearchParams(params)}`, { headers: { accept: 'application/json', 'x-graphql-csrf': '1', ...headers } });
  const post = (body: string) => fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const deep = (levels: number, open: string, close: string) => `${open.repeat(levels)}1${close.repeat(levels)}`;
  const Q = 'query Q($x: [Int!]) { site { products(entityIds: $x) { edges { node { name } } } } }';

  it.each<[string, () => Promise<Response>, string]>([
    ['a subscription', () => post(JSON.stringify({ query: 'subscription { __typename }' })), 'OPERATION_NOT_SUPPORTED'],
    ['a document with a subscription beside the chosen query', () => post(JSON.stringify({ query: 'query A { __typename } subscription S { __typename }', operationName: 'A' })), 'OPERATION_NOT_SUPPORTED'],
    ['variables nested 10,000 levels (arrays)', () => post(`{"query":${JSON.stringify(Q)},"variables":{"x":${deep(10_000, '[', ']')}}}`), 'MAX_VARIABLES_DEPTH'],
    ['variables nested 10,000 levels (objects), unused', () => post(`{"query":"{ __typename }","variables":{"y":${deep(10_000, '{"a":', '}')}}}`), 'MAX_VARIABLES_DEPTH'],
    ['variables nested 100,000 levels', () => post(`{"query":${JSON.stringify(Q)},"variables":{"x":${deep(100_000, '[', ']')}}}`), 'MAX_VARIABLES_DEPTH'],
    ['variables nested just past the limit (33 levels)', () => post(`{"query":"{ __typename }","variables":{"y":${deep(32, '{"a":', '}')}}}`), 'MAX_VARIABLES_DEPTH'],
    ['extensions nested 10,000 levels', () => post(`{"query":"{ __typename }","extensions":${deep(10_000, '{"a":', '}')}}`), 'MAX_VARIABLES_DEPTH'],
    ['variables as a string', () => post(JSON.stringify({ query: '{ __typename }', variables: '{"x":1}' })), 'BAD_REQUEST'],
    ['variables as a number', () => post(JSON.stringify({ query: '{ __typename }', variables: 42 })), 'BAD_REQUEST'],
    ['variables as an array', () => post(JSON.stringify({ query: '{ __typename }', variables: [1, 2] })), 'BAD_REQUEST'],
    ['variables as true', () => post(JSON.stringify({ query: '{ __typename }', variables: true })), 'BAD_REQUEST'],
    ['an operationName that matches nothing', () => post(JSON.stringify({ query: 'query A { __typename }', operationName: 'B' })), 'OPERATION_RESOLUTION_FAILURE'],
    ['no operationName for two operations', () => post(JSON.stringify({ query: 'query A { __typename } query B { __typename }' })), 'OPERATION_RESOLUTION_FAILURE'],
    ['an operationName that is not a string', () => post(JSON.stringify({ query: 'query A { __typename }', operationName: 7 })), 'OPERATION_RESOLUTION_FAILURE'],
    ['a GET with a mutation', () => get({ query: 'mutation { logout { result } }' }), 'BAD_REQUEST'],
    ['a GET choosing the mutation of a document', () => get({ query: 'query A { __typename } mutation B { logout { result } }', operationName: 'B' }), 'BAD_REQUEST'],
    ['a GET with an operationName that matches nothing', () => get({ query: 'query A { __typename }', operationName: 'B' }), 'OPERATION_RESOLUTION_FAILURE'],
    ['a GET with malformed JSON variables', () => get({ query: '{ __typename }', variables: '{not json' }), 'BAD_REQUEST'],
    ['a GET with malformed JSON extensions', () => get({ query: '{ __typename }', extensions: '{"persistedQuery":' }), 'BAD_REQUEST'],
    ['a document over the token limit', () => post(JSON.stringify({ query: `{ ${'__typename '.repeat(6000)} }` })), 'GRAPHQL_PARSE_FAILED'],
  ])('%s', async (_name, send, reason) => {
    const before = errorLogLines().length;
    const response = await send();
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }> };
    expect(body.errors?.length).toBeGreaterThan(0);
    for (const error of body.errors ?? []) expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    expect(JSON.stringify(body)).not.toMatch(/INTERNAL_SERVER_ERROR|Unexpected error/);
    expect(errorLogLines().length).toBe(before);
    expect(upstreamGraphql()).toHaveLength(0);
  });

  describe.each([
    ['the pass-through path', ''],
    ['the stitched path', 'currentCustomer { entityId } '],
  ])('on %s', (_path, gatewayField) => {
    it.each<[string, string, Record<string, unknown>]>([
      ['an enum value', `query Q($c: currencyCode) { ${gatewayField}site { product(entityId: 100) { prices(currencyCode: $c) { price { value } } } } }`, { c: 'USDD' }],
      ['an enum value in lower case', `query Q($c: currencyCode) { ${gatewayField}site { product(entityId: 100) { prices(currencyCode: $c) { price { value } } } } }`, { c: 'usd' }],
      [
        'an input object field',
        `mutation M($i: CreateCartInput!) { ${gatewayField ? 'logout { result } ' : ''}cart { createCart(input: $i) { cart { entityId } } } }`,
        { i: { lineItems: [{ quantity: 1, productEntityID: 100 }] } },
      ],
      ['a nested input object field', `mutation M($i: AddCartLineItemsInput!) { cart { addCartLineItems(input: $i) { cart { entityId } } } }`, { i: { cartEntityId: 'x', data: { lineItem: [] } } }],
      ['a gateway input field', `query P($i: PricingInput!) { ${gatewayField}pricing(input: $i) { productId } }`, { i: { itemz: [{ productID: 1 }] } }],
    ])('hides suggestions for %s in variable coercion', async (_name, query, variables) => {
      const before = errorLogLines().length;
      const response = await gql(gateway.graphqlUrl, query, variables, { 'x-forwarded-for': freshIp() });
      expect(response.body.errors?.length).toBeGreaterThan(0);
      for (const error of response.body.errors ?? []) {
        expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        expect(error.message).not.toMatch(/Did you mean/i);
      }
      expect(errorLogLines().length).toBe(before);
      expect(upstreamGraphql()).toHaveLength(0);
    });
  });

  it('hides suggestions for enum literals and names in validation', async () => {
    for (const query of [
      `{ site { product(entityId: 100) { prices(currencyCode: USDD) { price { value } } } } }`,
      `{ site { produts { edges { node { name } } } } }`,
      `{ site { product(entityID: 100) { name } } }`,
      `{ site { product(entityId: 100) { ... on Prodct { name } } } }`,
      `mutation { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityID: 100 }] }) { cart { entityId } } } }`,
    ]) {
      const response = await gql(gateway.graphqlUrl, query);
      expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(response.body)).not.toMatch(/Did you mean/i);
    }
  });
});

describe('redirect targets', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = (await loginAs(gateway.graphqlUrl, WHOLESALE)).cookie;
  });
  const loginUrl = (redirectTo: string) => gql<{ customerLoginUrl: { url: string; redirectTo: string } }>(gateway.graphqlUrl, LOGIN_URL, { redirectTo }, { cookie });

  it.each([
    ['/café', '/caf%C3%A9'],
    ['/catégorie/chaussures?taille=42½', '/cat%C3%A9gorie/chaussures?taille=42%C2%BD'],
    ['/商品', '/%E5%95%86%E5%93%81'],
    ['/search.php?q=a b', '/search.php?q=a%20b'],
  ])('percent-encodes %j so the store can send it: the login lands on %j', async (input, encoded) => {
    const response = await loginUrl(input);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.customerLoginUrl.redirectTo).toBe(encoded);
    const { url } = response.body.data!.customerLoginUrl;
    expect(decodeJwt(url.split('/login/token/')[1]).redirect_to).toBe(encoded);
    const landed = await fetch(url, { redirect: 'manual' });
    expect(landed.status).toBe(302);
    expect(landed.headers.get('location')).toBe(encoded);
  });

  it.each<[string, string]>([
    ['encoded //', '/%2F%2Fevil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['an encoded tab between slashes', '/%09/evil.example'],
    ['double-encoded //', '/%252F%252Fevil.example'],
    ['a fullwidth solidus', '/／evil.example'],
    ['a division slash', '/∕evil.example'],
    ['a fullwidth reverse solidus', '/＼evil.example'],
    ['a dot segment before //', '/.//evil.example'],
    ['a parent segment before //', '/a/..//evil.example'],
    ['a C1 control (NEL)', '/ok\u0085'],
    ['a line separator', '/ok\u2028'],
    ['a bidi override', '/\u202eevil'],
    ['an overlong UTF-8 slash', '/%C0%AF/evil.example'],
    ['a broken percent escape', '/%zz'],
    ['1,500 non-ASCII characters (too long once encoded)', '/' + 'é'.repeat(1500)],
    ['5,000 characters', '/' + 'a'.repeat(5000)],
  ])('refuses %s with BAD_USER_INPUT before signing anything', async (_name, redirectTo) => {
    const response = await loginUrl(redirectTo);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(response.body)).not.toContain('/login/token/');
  });
});
