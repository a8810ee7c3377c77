// Real storefront operations must pass through the gateway unchanged (README, "Limits": the gateway never
// refuses an operation BigCommerce would accept). The corpus in ./corpus is written after BigCommerce's documented
// Storefront GraphQL examples (developer.bigcommerce.com/docs/storefront/graphql) and Catalyst's queries
// (GitHub bigcommerce/catalyst): product, listing, category and search pages, cart, checkout, account, content,
// navigation and the mutations behind them. Each is sent through a gateway with the documented default limits
// and directly to the same full-schema mock storefront; both answers must be error-free and carry identical data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, getNamedType, getOperationAST, Kind, parse, validate, type GraphQLSchema } from 'graphql';
import { buildGateway, gatewayConfig, serveGateway, storefrontOnlyStore, type ServedGateway } from '../../scripts/harness';
import { startMockStorefront, type MockStorefront } from '../../scripts/mock-storefront';
import { CORPUS_DIR, loadCorpus, type CorpusOperation, type JsonObject } from './corpus-loader';

// Reference data beside the project: ../shared from the repository root, never copied in.
const FULL_SCHEMA_FILE = resolve(__dirname, '../../../shared/bigcommerce/storefront-schema/bigcommerce.graphql');

interface GraphQLBody {
  data?: JsonObject | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

interface Answer {
  status: number;
  body: GraphQLBody;
}

async function send(url: string, operation: CorpusOperation): Promise<Answer> {
  const payload = JSON.stringify({ query: operation.query, variables: operation.variables, operationName: operation.name });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: payload,
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as GraphQLBody };
  } catch {
    throw new Error(`${operation.name}: non-JSON response ${response.status} from ${url}: ${text.slice(0, 300)}`);
  }
}

/**
 * Mutations an operation runs: BigCommerce groups them under namespace fields (`cart { createCart }`, typed
 * `CartMutations`), so a namespace counts its sub-fields and any other root field counts once.
 */
function mutationCount(schema: GraphQLSchema, operation: CorpusOperation): number {
  const definition = getOperationAST(parse(operation.query), operation.name);
  const rootFields = schema.getMutationType()?.getFields() ?? {};
  let count = 0;
  for (const selection of definition?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.name.value === '__typename') continue;
    const field = rootFields[selection.name.value];
    const isNamespace = field !== undefined && getNamedType(field.type).name.endsWith('Mutations');
    count += isNamespace
      ? (selection.selectionSet?.selections ?? []).filter((s) => s.kind === Kind.FIELD && s.name.value !== '__typename').length
      : 1;
  }
  return count;
}

const corpus = loadCorpus();

describe('storefront operation corpus (test/compat/corpus) through the gateway, default limits', () => {
  let full: GraphQLSchema;
  let mock: MockStorefront;
  let served: ServedGateway;

  beforeAll(async () => {
    if (!existsSync(FULL_SCHEMA_FILE)) {
      throw new Error(
        `Full Storefront schema not found at ${FULL_SCHEMA_FILE}. These tests read the reference data beside the ` +
          'project (../shared/bigcommerce/storefront-schema/bigcommerce.graphql, relative to the repository root).',
      );
    }
    const sdl = readFileSync(FULL_SCHEMA_FILE, 'utf8');
    full = buildSchema(sdl);
    mock = await startMockStorefront(sdl);
    // parseConfig({}) defaults through the harness: no limit is raised for this suite.
    served = await serveGateway(await buildGateway(gatewayConfig(storefrontOnlyStore(mock.url))));
  }, 60_000);

  afterAll(async () => {
    await served?.close();
    await mock?.close();
  });

  it('holds at least 24 named operations, queries and mutations, with unique names', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(24);
    expect(new Set(corpus.map((op) => op.name)).size).toBe(corpus.length);
    expect(corpus.some((op) => op.type === 'mutation')).toBe(true);
    // BigCommerce runs one mutation per request (developer.bigcommerce.com/docs/storefront/graphql, limits):
    // an operation with several would be refused upstream, so it has no place in a corpus of accepted ones.
    expect(corpus.filter((op) => op.type === 'mutation' && mutationCount(full, op) !== 1).map((op) => op.name)).toEqual([]);
    // Every variables file belongs to an operation (a misnamed one would silently send no variables).
    const files = new Set(corpus.map((op) => op.file));
    const orphans = readdirSync(CORPUS_DIR)
      .filter((file) => file.endsWith('.variables.json'))
      .filter((file) => !files.has(file.slice(0, -'.variables.json'.length)));
    expect(orphans).toEqual([]);
  });

  describe.each(corpus.map((op) => [op.file, op] as const))('%s', (_file, operation) => {
    it('is accepted by the full BigCommerce schema', () => {
      expect(validate(full, parse(operation.query)).map((e) => e.message)).toEqual([]);
    });

    it("validates against the gateway's served schema", () => {
      expect(validate(served.gateway.schema, parse(operation.query)).map((e) => e.message)).toEqual([]);
    });

    it('is answered by the gateway exactly as by the storefront itself', async () => {
      const viaGateway = await send(served.graphqlUrl, operation);
      const direct = await send(mock.graphqlUrl, operation);
      // Errors first and in full: a refusal (depth, aliases, tokens, body size …) names its limit here.
      expect({ operation: operation.name, status: viaGateway.status, errors: viaGateway.body.errors }).toEqual({
        operation: operation.name,
        status: 200,
        errors: undefined,
      });
      expect({ operation: operation.name, errors: direct.body.errors }).toEqual({ operation: operation.name, errors: undefined });
      expect(viaGateway.body.data).toBeTruthy();
      expect(viaGateway.body.data).toEqual(direct.body.data);
    });
  });
});
