import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addMocksToSchema } from '@graphql-tools/mock';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { startSandbox, type Sandbox } from '../../sandbox';
import { closeServer, gql, listen, loginAs, startGateway, startStack, WHOLESALE, type Stack } from '../helpers/stack';

describe('metrics and request logs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('exposes Prometheus metrics: requests, durations, errors by code, upstream calls', async () => {
    await gql(stack.gateway.graphqlUrl, `{ site { settings { storeName } } }`);
    await gql(stack.gateway.graphqlUrl, `{ customer { email } }`, {}, { authorization: 'Bearer forged' });
    await gql(stack.gateway.graphqlUrl, `{ pricing(input: { items: [{ productId: 100 }] }) { productId } }`);
    const response = await fetch(`${stack.gateway.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/gateway_http_requests_total\{status="200"\} \d+/);
    expect(text).toMatch(/gateway_http_requests_total\{status="401"\} 1/);
    expect(text).toMatch(/gateway_graphql_errors_total\{code="UNAUTHENTICATED"\} 1/);
    expect(text).toMatch(/gateway_upstream_requests_total\{upstream="storefront",outcome="ok"\} \d+/);
    expect(text).toMatch(/gateway_upstream_requests_total\{upstream="rest",outcome="ok"\} \d+/);
    expect(text).toMatch(/gateway_http_request_duration_seconds_count \d+/);
  });

  it('logs one structured line per request with ids, operation, duration and upstream calls', async () => {
    const { token } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    const response = await gql(stack.gateway.graphqlUrl, `query ShopperPrices { customer { email } site { product(entityId: 100) { pricing { price { asEntered } } } } }`, {}, {
      authorization: `Bearer ${token}`,
      'x-correlation-id': 'corr-log-test',
      'x-request-id': 'req-log-test',
    });
    expect(response.headers.get('x-request-id')).toBe('req-log-test');
    expect(response.headers.get('x-correlation-id')).toBe('corr-log-test');
    const line = stack.gateway.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === 'req-log-test');
    expect(line).toMatchObject({
      msg: 'graphql request',
      correlationId: 'corr-log-test',
      operationName: 'ShopperPrices',
      status: 200,
      customerId: 2,
    });
    expect(line?.durationMs).toEqual(expect.any(Number));
    expect(line?.upstreamCalls).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(line)).not.toContain(token);
  });
});

describe('storefront schema refresh', () => {
  const sandboxSdl = readFileSync(join(__dirname, '..', '..', 'schema', 'sandbox.graphql'), 'utf8');
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
  });
  afterAll(() => sandbox.close());

  it('serves a changed upstream schema after a reload, and keeps the last good one when a reload fails', async () => {
    let current: GraphQLSchema = addMocksToSchema({ schema: buildSchema(sandboxSdl) });
    let failing = false;
    const upstream = createServer((req, res) => {
      if (failing) {
        res.writeHead(503).end();
        return;
      }
      return createYoga({ schema: () => current, logging: false })(req, res);
    });
    const upstreamUrl = await listen(upstream);
    const gateway = await startGateway(sandbox, { store: { storefrontUrl: `${upstreamUrl}/graphql` }, config: { upstreamRetries: 0 } });
    try {
      const before = await gql(gateway.graphqlUrl, `{ newStorefrontField }`);
      expect(before.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });

      current = addMocksToSchema({ schema: buildSchema(`${sandboxSdl}\nextend type Query { newStorefrontField: String }`) });
      expect(await gateway.gateway.reloadSchema()).toBe(true);
      const after = await gql<{ newStorefrontField: string }>(gateway.graphqlUrl, `{ newStorefrontField }`);
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data?.newStorefrontField).toEqual(expect.any(String));
      expect(await gateway.gateway.reloadSchema()).toBe(false);

      failing = true;
      expect(await gateway.gateway.reloadSchema()).toBe(false);
      failing = false;
      const still = await gql(gateway.graphqlUrl, `{ newStorefrontField }`);
      expect(still.body.errors).toBeUndefined();
      expect(gateway.logs.join('\n')).toContain('keeping the last good schema');
    } finally {
      await gateway.close();
      await closeServer(upstream);
    }
  });
});
