// A stand-in for a real store's Storefront GraphQL endpoint, built from a full schema SDL: every field answers
// with mock data (@graphql-tools/mock), introspection included. It lets the gateway start and run against the
// whole 773-type schema over HTTP — the production path — without a BigCommerce account or network.
// Answers are deterministic: every value in an answer comes from a seeded generator (never Math.random), and the
// mock store memoizes each value under its type, object key, field and arguments, so a field asked for twice —
// directly or through the gateway — answers the same, and two mocks given the same requests answer alike.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { addMocksToSchema, type IMocks } from '@graphql-tools/mock';
import { buildSchema, graphql, isAbstractType, isEnumType, type GraphQLSchema } from 'graphql';

/** The live-store schema beside the project (`../shared/` from the repository root, never copied into the tree). */
export function fullSchemaPath(root: string): string {
  return resolve(root, '..', 'shared', 'bigcommerce', 'storefront-schema', 'bigcommerce.graphql');
}

/** Values that serialize like BigCommerce's custom scalars do, so clients parsing them see realistic shapes. */
export const SCALAR_MOCKS: IMocks = {
  IpAddress: () => '203.0.113.7',
  URL: () => 'https://store.example/path',
  DateTime: () => '2024-05-01T12:00:00Z',
  UUID: () => '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  BigDecimal: () => 19.99,
  Long: () => 42,
};

/** The seed of every mock's value generator: fixed, so runs repeat exactly. */
export const MOCK_SEED = 0x5eed;

/** mulberry32: a small, well-known 32-bit seeded generator; uniform in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mocks for every value @graphql-tools/mock would otherwise draw from Math.random: Int, Float, Boolean and ID
 * scalars, the value of each enum and the concrete type of each interface or union. They vary (so abstract
 * types resolve to different implementations across a response) but repeat for the same seed and request order.
 */
export function deterministicMocks(schema: GraphQLSchema, seed: number = MOCK_SEED): IMocks {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const hex = (digits: number): string =>
    Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
  const mocks: IMocks = {
    Int: () => Math.floor(random() * 1000),
    Float: () => Math.round(random() * 100_000) / 100,
    Boolean: () => random() < 0.5,
    // UUID-shaped like the library's own ID mock; it is also the store key of every type with an `id` field.
    ID: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`,
    ...SCALAR_MOCKS,
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isEnumType(type)) {
      const values = type.getValues().map((value) => value.value as unknown);
      mocks[type.name] = () => pick(values);
    } else if (isAbstractType(type)) {
      const names = schema.getPossibleTypes(type).map((possible) => possible.name);
      mocks[type.name] = { __typename: () => pick(names) };
    }
  }
  return mocks;
}

export interface MockStorefront {
  /** Origin, e.g. http://127.0.0.1:PORT; the endpoint is `${url}/graphql`. */
  url: string;
  graphqlUrl: string;
  schema: GraphQLSchema;
  /** GraphQL requests answered so far (introspection included). */
  requestCount(): number;
  close(): Promise<void>;
}

interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The schema of `sdl` with deterministic mock resolvers; each call starts a fresh store and generator. */
export function mockedSchema(sdl: string, seed: number = MOCK_SEED): GraphQLSchema {
  const schema = buildSchema(sdl);
  return addMocksToSchema({
    schema,
    mocks: deterministicMocks(schema, seed),
    // Anything not covered above (none today) takes the library's first choice rather than a random one.
    mockGenerationBehavior: 'deterministic',
    preserveResolvers: false,
  });
}

export async function startMockStorefront(sdl: string): Promise<MockStorefront> {
  const schema = mockedSchema(sdl);
  let requests = 0;
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/graphql') {
      send(404, { errors: [{ message: 'mock storefront: only POST /graphql' }] });
      return;
    }
    readBody(req)
      .then(async (text) => {
        const body = JSON.parse(text) as GraphQLRequestBody;
        if (typeof body.query !== 'string') return send(400, { errors: [{ message: 'query must be a string' }] });
        requests += 1;
        const result = await graphql({
          schema,
          source: body.query,
          variableValues: body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : undefined,
          operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
        });
        send(200, result);
      })
      .catch((err: unknown) => send(400, { errors: [{ message: `mock storefront: ${err instanceof Error ? err.message : String(err)}` }] }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    schema,
    requestCount: () => requests,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** Read the full schema, or explain where it was expected: the reference data lives beside the project, not in it. */
export function readFullSchema(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new Error(
      `The full Storefront schema is missing at ${path}. It is reference data beside the project ` +
        '(../shared/bigcommerce/storefront-schema/bigcommerce.graphql from the repository root); ' +
        'these checks need a checkout with shared/ next to it.',
    );
  }
}
