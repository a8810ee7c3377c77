// Documents built to cost parse and validation work: nesting that would exhaust graphql-js's recursion, shapes that
// every validation rule walks, and the refused-document throttle that counts each of them.
import { parseConfig } from '../../src/config';
import { ERROR_CODES } from '../../src/errors';
import { MAX_LITERAL_DEPTH, MAX_VALIDATION_ERRORS } from '../../src/plugins/document-limits';
import { createInProcessGateway, type InProcessGateway } from '../helpers/inprocess';

type Body = { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

const R = (n: number, item: (i: number) => string, separator = ' ') => Array.from({ length: n }, (_, i) => item(i)).join(separator);
const nested = (open: string, inner: string, close: string, levels: number) => `${open.repeat(levels)}${inner}${close.repeat(levels)}`;

/** Error-level (pino 50) and fatal lines: no anonymous input may write one. */
const errorLines = (gateway: InProcessGateway) => gateway.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

async function post(gateway: InProcessGateway, body: unknown, from: string): Promise<{ status: number; body: Body | Body[] }> {
  const response = await gateway.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body | Body[] };
}

let address = 0;
const freshAddress = () => `203.0.113.${++address}`;

describe('nesting is refused before graphql-js recurses into it', () => {
  let gateway: InProcessGateway;
  beforeAll(async () => {
    gateway = await createInProcessGateway({ config: { trustProxy: true } });
  });
  afterAll(() => gateway.close());

  const deepDocuments: Array<[string, string, string]> = [
    ['a list literal 2,400 levels deep', `{ site { product(entityId: ${nested('[', '1', ']', 2400)}) { name } } }`, 'MAX_LITERAL_DEPTH'],
    ['a list literal 1,000 levels deep', `{ site { products(entityIds: ${nested('[', '1', ']', 1000)}) { edges { node { name } } } } }`, 'MAX_LITERAL_DEPTH'],
    ['an object literal 1,200 levels deep', `{ site { product(entityId: ${nested('{a:', '1', '}', 1200)}) { name } } }`, 'MAX_LITERAL_DEPTH'],
    ['a mixed literal', `{ site { product(entityId: ${nested('[{a:', '1', '}]', 600)}) { name } } }`, 'MAX_LITERAL_DEPTH'],
    ['a variable default value', `query Q($v: [Int] = ${nested('[', '1', ']', 2000)}) { site { product(entityId: 1) { name } } }`, 'MAX_LITERAL_DEPTH'],
    ['a list type', `query Q($v: ${nested('[', 'Int', ']', 2000)}) { site { product(entityId: 1) { name } } }`, 'MAX_LITERAL_DEPTH'],
    ['a directive argument', `{ site { product(entityId: 1) @include(if: ${nested('[', 'true', ']', 2000)}) { name } } }`, 'MAX_LITERAL_DEPTH'],
    ['a literal just past the limit', `{ site { product(entityId: ${nested('[', '1', ']', MAX_LITERAL_DEPTH + 1)}) { name } } }`, 'MAX_LITERAL_DEPTH'],
    ['selection sets 2,400 levels deep', `${nested('{ a ', '', '}', 2400)}`, 'MAX_DEPTH'],
    ['inline fragments 1,600 levels deep', `{ site ${nested('{ ... on Site ', '', '}', 1600)} }`, 'MAX_DEPTH'],
  ];

  it.each(deepDocuments)('answers %s with BAD_USER_INPUT and its reason, and logs no error', async (_name, query, reason) => {
    const before = errorLines(gateway).length;
    const { status, body } = await post(gateway, { query }, freshAddress());
    expect(status).toBeLessThan(500);
    expect((body as Body).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    expect(errorLines(gateway).slice(before)).toEqual([]);
  });

  it('refuses the same nesting sent with GET', async () => {
    const query = `{ site { product(entityId: ${nested('[', '1', ']', 2000)}) { name } } }`;
    const response = await gateway.fetch(`/graphql?query=${encodeURIComponent(query)}`, { headers: { accept: 'application/json', 'x-graphql-csrf': '1', 'x-forwarded-for': freshAddress() } });
    expect(((await response.json()) as Body).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_LITERAL_DEPTH' });
    expect(errorLines(gateway)).toEqual([]);
  });

  it('refuses fragments that spread each other 400 levels deep without an internal error', async () => {
    const chain = R(400, (i) => `fragment F${i} on Product { ${i < 399 ? `variants { edges { node { entityId } } } ...F${i + 1}` : 'name'} }`);
    const { body } = await post(gateway, { query: `{ site { product(entityId: 1) { ...F0 } } } ${chain}` }, freshAddress());
    expect((body as Body).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(errorLines(gateway)).toEqual([]);
  });

  const deepJson = `${'['.repeat(60_000)}1${']'.repeat(60_000)}`;
  it.each<[string, string]>([
    ['variables', `{"query":"query Q($v: Int) { site { product(entityId: $v) { name } } }","variables":{"v":${deepJson}}}`],
    ['extensions', `{"query":"{ site { settings { storeName } } }","extensions":{"deep":${deepJson}}}`],
    ['variables in a batch', `[{"query":"{ site { settings { storeName } } }"},{"query":"query Q($v: Int) { site { product(entityId: $v) { name } } }","variables":{"v":${deepJson}}}]`],
  ])('refuses JSON %s nested 60,000 levels deep, and logs no error', async (_name, text) => {
    const response = await gateway.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': freshAddress() },
      body: text,
    });
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as Body | Body[];
    const results = Array.isArray(body) ? body : [body];
    expect(results[results.length - 1].errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_VARIABLES_DEPTH' });
    expect(errorLines(gateway)).toEqual([]);
  });

  it('still serves literals and selections as deep as real storefronts send', async () => {
    const query = `query Q($ids: [Int!] = [101, 102]) { site { products(entityIds: $ids) { edges { node { entityId variants(first: 2) { edges { node { entityId } } } } } } } }`;
    const { body } = await post(gateway, { query }, freshAddress());
    expect((body as Body).errors).toBeUndefined();
  });
});

describe('validation work is bounded before validation runs', () => {
  let gateway: InProcessGateway;
  beforeAll(async () => {
    gateway = await createInProcessGateway({ config: { trustProxy: true } });
  });
  afterAll(() => gateway.close());

  it.each<[string, string, string]>([
    ['1,200 unused variables', `query Q(${R(1200, (i) => `$v${i}: Int`)}) { site { settings { storeName } } }`, 'MAX_VARIABLES'],
    ['101 used variables', `query Q(${R(101, (i) => `$v${i}: Boolean`)}) { site { settings { storeName ${R(101, (i) => `@skip(if: $v${i})`)} } } }`, 'MAX_VARIABLES'],
    ['1,600 repeated arguments', `{ site { product(${R(1600, () => 'entityId: 1')}) { name } } }`, 'MAX_ARGUMENTS'],
    ['a directive with 60 arguments', `{ site { settings { storeName @include(${R(60, (i) => `a${i}: true`)}) } } }`, 'MAX_ARGUMENTS'],
    ['700 directives on one field', `{ site { settings { storeName ${R(700, () => '@include(if: true)')} } } }`, 'MAX_DIRECTIVES'],
    ['fragments spreading every later fragment', `{ site { ...F0 } } ${R(60, (i) => `fragment F${i} on Site { ${R(59 - i, (j) => `...F${i + j + 1}`)} settings { storeName } }`)}`, 'MAX_SELECTIONS'],
    ['21 directives on a fragment spread', `{ site { ...S ${R(21, () => '@include(if: true)')} } } fragment S on Site { settings { storeName } }`, 'MAX_DIRECTIVES'],
  ])('refuses %s with BAD_USER_INPUT', async (_name, query, reason) => {
    const { body } = await post(gateway, { query }, freshAddress());
    expect((body as Body).errors?.[0]).toEqual(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', reason }) }));
    expect(gateway.http.calls.length).toBe(0);
  });

  it('refuses a document of 600 operations, one of them named to run', async () => {
    const { body } = await post(gateway, { query: R(600, (i) => `query Q${i} { __typename }`), operationName: 'Q7' }, freshAddress());
    expect((body as Body).errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'MAX_OPERATIONS' }) })]);
  });

  it('accepts an operation with 100 variables', async () => {
    const query = `query Q(${R(100, (i) => `$v${i}: Boolean = false`)}) { site { settings { ${R(100, (i) => `s${i}: storeName @skip(if: $v${i})`)} } } }`;
    const { body } = await post(gateway, { query }, freshAddress());
    expect((body as Body).errors).toBeUndefined();
  });
});

describe('the refused-document throttle counts every refused document', () => {
  const LIMIT = 12;
  let gateway: InProcessGateway;
  beforeEach(async () => {
    gateway = await createInProcessGateway({ config: { trustProxy: true, limits: { ...parseConfig({}).limits, maxRefusalsPerMinute: LIMIT } } });
  });
  afterEach(() => gateway.close());

  const costly = (i: number) => `query Q${i}(${R(1200, (j) => `$v${j}: Int`)}) { site { settings { storeName } } }`;
  const refusedKinds: Array<[string, (i: number) => unknown]> = [
    ['validation failures (unknown fields)', (i) => ({ query: `{ site { unknown${i} } }` })],
    ['validation failures (unused variables within the limit)', (i) => ({ query: `query Q${i}(${R(90, (j) => `$v${j}: Int`)}) { site { settings { storeName } } }` })],
    ['syntax errors', (i) => ({ query: `{ site { settings ${i} ` })],
    ['limit refusals', (i) => ({ query: costly(i) })],
    ['invalid variable values', (i) => ({ query: 'query Q($v: Int!) { site { product(entityId: $v) { name } } }', variables: { v: `x${i}` } })],
  ];

  it.each(refusedKinds)('counts each document of a batch: %s', async (_name, document) => {
    const client = freshAddress();
    // One batch of 10 and a batch of 2: twelve refused documents, in two requests.
    const first = await post(gateway, Array.from({ length: 10 }, (_, i) => document(i)), client);
    expect((first.body as Body[]).every((result) => result.errors?.[0].extensions?.code === 'BAD_USER_INPUT')).toBe(true);
    await post(gateway, [document(10), document(11)], client);
    const next = await post(gateway, { query: '{ site { settings { storeName } } }' }, client);
    expect(next.status).toBe(429);
    expect((next.body as Body).errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'TOO_MANY_REFUSED', retryAfterMs: expect.any(Number) });
    // Another client is served.
    const other = await post(gateway, { query: '{ site { settings { storeName } } }' }, freshAddress());
    expect(other.status).toBe(200);
    expect((other.body as Body).errors).toBeUndefined();
  });

  it('counts the refused documents of a batch, not the batch, and not its good documents', async () => {
    const client = freshAddress();
    const good = { query: '{ site { settings { storeName } } }' };
    for (let i = 0; i < LIMIT - 1; i++) {
      const { status, body } = await post(gateway, [good, { query: costly(i) }, good], client);
      expect(status).toBe(200);
      expect((body as Body[])[0].errors).toBeUndefined();
    }
    expect((await post(gateway, good, client)).status).toBe(200);
    await post(gateway, [good, { query: costly(LIMIT) }], client);
    expect((await post(gateway, good, client)).status).toBe(429);
  });

  it('does not count documents that were executed, even with errors', async () => {
    const client = freshAddress();
    for (let i = 0; i < LIMIT + 3; i++) {
      // A valid document whose field fails (an unknown product is null, pricing beyond 50 items is refused in its resolver).
      const { status } = await post(gateway, { query: `{ site { product(entityId: ${900 + i}) { name } } }` }, client);
      expect(status).toBe(200);
    }
    expect((await post(gateway, { query: '{ site { settings { storeName } } }' }, client)).status).toBe(200);
  });
});

describe('malformed request bodies', () => {
  let gateway: InProcessGateway;
  beforeAll(async () => {
    gateway = await createInProcessGateway({ config: { trustProxy: true } });
  });
  afterAll(() => gateway.close());

  it.each<[string, string]>([
    ['a batch holding null', '[null]'],
    ['null after a good operation', '[{"query":"{ site { settings { storeName } } }"}, null]'],
    ['a batch of junk', '[1, "x", [], null, true]'],
    ['a query that is a number', '{"query": 123}'],
    ['variables that are a list', '{"query":"{ site { settings { storeName } } }","variables":[1]}'],
    ['an operation name that is an object', '{"query":"{ site { settings { storeName } } }","operationName":{}}'],
    ['a lone surrogate in a string', '{"query":"{ site { product(sku: \\"\\ud800\\") { name } } }"}'],
    ['an integer variable of 1e400', '{"query":"query Q($v: Int) { site { product(entityId: $v) { name } } }","variables":{"v":1e400}}'],
    ['truncated JSON', '{"query":'],
  ])('answers %s in the closed set of codes, below 500, without an error log line', async (_name, body) => {
    const before = errorLines(gateway).length;
    const response = await gateway.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': freshAddress() }, body });
    expect(response.status).toBeLessThan(500);
    const answer = (await response.json()) as Body | Body[];
    for (const result of Array.isArray(answer) ? answer : [answer]) {
      for (const error of result.errors ?? []) expect(ERROR_CODES).toContain(error.extensions?.code);
    }
    expect(errorLines(gateway).slice(before)).toEqual([]);
  });
});

describe('validation errors cost no search for suggestions nobody will see', () => {
  let gateway: InProcessGateway;
  beforeAll(async () => {
    gateway = await createInProcessGateway({ config: { trustProxy: true, limits: { ...parseConfig({}).limits, fieldSuggestions: false } } });
  });
  afterAll(() => gateway.close());

  it.each<[string, string]>([
    ['unknown variable types', `query Q(${R(100, (i) => `$v${i}: Productx${i}`)}) { site { settings { storeName } } }`],
    ['unknown type conditions in unspread fragments', `{ site { settings { storeName } } } ${R(300, (i) => `fragment F${i} on Productx${i} { name }`)}`],
    ['unknown fields', `{ site { ${R(200, (i) => `productx${i}`)} } }`],
  ])('stops early for %s, without suggestions', async (_name, query) => {
    const { body } = await post(gateway, { query }, freshAddress());
    const errors = (body as Body).errors ?? [];
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.length).toBeLessThanOrEqual(MAX_VALIDATION_ERRORS + 1);
    for (const error of errors) {
      expect(error.message).not.toMatch(/Did you mean/);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('still names an unknown type exactly as graphql-js does', async () => {
    const { body } = await post(gateway, { query: 'query Q($v: Productx) { site { settings { storeName } } }' }, freshAddress());
    expect((body as Body).errors?.map((error) => error.message)).toEqual(['Unknown type "Productx".', 'Variable "$v" is never used in operation "Q".']);
  });
});
