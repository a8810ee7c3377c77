import { parseConfig } from '../../src/config';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/graphiql-examples';
import { gql, loginAs, startStack, WHOLESALE, type Stack } from '../helpers/stack';

describe('gateway core over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('serves GraphiQL to a browser with the example operations', async () => {
    const response = await fetch(stack.gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('Storefront gateway');
    expect(html).toContain(JSON.stringify(GRAPHIQL_DEFAULT_QUERY).slice(1, 60));
  });

  it('sends GraphiQL compressed when the browser accepts it, and revalidates it by ETag', async () => {
    const { request } = await import('node:http');
    const url = new URL(stack.gateway.graphqlUrl);
    const get = (headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number }>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { accept: 'text/html', ...headers } }, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
        });
        req.on('error', reject);
        req.end();
      });
    const plain = await get({});
    const gzipped = await get({ 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.bytes).toBeLessThan(plain.bytes / 3);
    const etag = String(gzipped.headers.etag);
    const revalidated = await get({ 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.bytes).toBe(0);
  });

  it('runs the GraphiQL example operations as they are', async () => {
    for (const operationName of ['Products', 'Login', 'Products', 'Logout']) {
      const response = await fetch(stack.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: GRAPHIQL_DEFAULT_QUERY, operationName }),
      });
      const body = (await response.json()) as { errors?: unknown; data?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data).toBeTruthy();
    }
  });

  it('answers /health and /ready', async () => {
    expect((await fetch(`${stack.gateway.url}/health`)).status).toBe(200);
    expect((await fetch(`${stack.gateway.url}/ready`)).status).toBe(200);
  });

  it('serves the whole storefront schema stitched with the gateway fields', async () => {
    const response = await gql<{ __schema: { queryType: { fields: Array<{ name: string }> }; mutationType: { fields: Array<{ name: string }> } } }>(
      stack.gateway.graphqlUrl,
      `{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`,
    );
    const queries = response.body.data!.__schema.queryType.fields.map((f) => f.name);
    const mutations = response.body.data!.__schema.mutationType.fields.map((f) => f.name);
    expect(queries).toEqual(expect.arrayContaining(['site', 'customer', 'currentCustomer', 'pricing']));
    expect(mutations).toEqual(
      expect.arrayContaining(['login', 'logout', 'cart', 'customerLoginUrl', 'checkoutLoginUrl', 'loginWithCurrentCustomerJwt']),
    );
  });

  it('shares one upstream request between the root fields of one operation', async () => {
    const before = stack.sandbox.requestLog.filter((r) => r.path === '/graphql').length;
    const response = await gql(stack.gateway.graphqlUrl, `{ site { settings { storeName } } customer { entityId } other: site { product(entityId: 100) { name } } }`);
    expect(response.body.errors).toBeUndefined();
    expect(stack.sandbox.requestLog.filter((r) => r.path === '/graphql').length - before).toBe(1);
  });

  it('answers malformed and invalid operations with clear errors and stays up', async () => {
    const parse = await gql(stack.gateway.graphqlUrl, `{ site { `);
    expect(parse.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_PARSE_FAILED' });
    const invalid = await gql(stack.gateway.graphqlUrl, `{ site { noSuchField } }`);
    expect(invalid.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });
    const notJson = await fetch(stack.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    const notJsonBody = (await notJson.json()) as { errors: Array<{ message: string }> };
    expect(notJsonBody.errors[0].message).toMatch(/JSON/);
    const ok = await gql(stack.gateway.graphqlUrl, `{ site { settings { storeName } } }`);
    expect(ok.body.errors).toBeUndefined();
  });

  it('logs a request without secrets', async () => {
    const { token } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    await gql(stack.gateway.graphqlUrl, `{ customer { email } }`, {}, { authorization: `Bearer ${token}` });
    const logs = stack.gateway.logs.join('\n');
    expect(logs).toContain('session opened');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(WHOLESALE.pass);
  });
});

describe('upstream errors and outages', () => {
  it('passes upstream GraphQL errors through with message and extensions.code (customer-access-token mode)', async () => {
    const stack = await startStack({ authMode: 'customer-access-token' });
    try {
      const first = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
      // BigCommerce signs a customer out of the previous device on a new login: the first CAT dies upstream.
      await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
      const response = await gql(stack.gateway.graphqlUrl, `{ customer { email } }`, {}, { cookie: first.cookie });
      expect(response.body.errors?.[0].extensions?.code).toBe('INVALID_CUSTOMER_ACCESS_TOKEN');
      expect(response.body.errors?.[0].message).toEqual(expect.any(String));
      expect(JSON.stringify(response.body)).not.toContain(WHOLESALE.email);
    } finally {
      await stack.close();
    }
  });

  it('reports a dead upstream as UPSTREAM_ERROR and /ready as 503, and stays up', async () => {
    const stack = await startStack();
    try {
      await stack.sandbox.close();
      const response = await gql(stack.gateway.graphqlUrl, `{ site { settings { storeName } } }`);
      expect(response.body.errors?.[0].extensions?.code).toBe('UPSTREAM_ERROR');
      expect(response.body.errors?.[0].message).not.toContain('127.0.0.1');
      expect((await fetch(`${stack.gateway.url}/ready`)).status).toBe(503);
      expect((await fetch(`${stack.gateway.url}/health`)).status).toBe(200);
    } finally {
      await stack.gateway.close();
    }
  });
});

describe('introspection switched off (GATEWAY_INTROSPECTION=false)', () => {
  it('refuses introspection and keeps serving operations', async () => {
    const stack = await startStack({
      config: {
        limits: { ...parseConfig({}).limits, introspection: false },
      },
    });
    try {
      const introspection = await gql(stack.gateway.graphqlUrl, `{ __schema { types { name } } }`);
      expect(introspection.body.data ?? null).toBeNull();
      expect(introspection.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const typeQuery = await gql(stack.gateway.graphqlUrl, `{ __type(name: "Product") { name } }`);
      expect(typeQuery.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const ok = await gql(stack.gateway.graphqlUrl, `{ __typename site { settings { storeName } } }`);
      expect(ok.body.errors).toBeUndefined();
    } finally {
      await stack.close();
    }
  });
});
