import { readFileSync } from 'node:fs';
import { buildSchema, NoDeprecatedCustomRule, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/graphiql-examples';
import { COMPOSED_SCHEMA_FILE, composeGatewaySchema, composedSchemaPath } from '../../scripts/emit-schema';
import { CLIENT_OPERATIONS } from './operations';

describe(`${COMPOSED_SCHEMA_FILE} (emitted for clients by npm run schema:emit)`, () => {
  let committed: string;
  let schema: GraphQLSchema;

  beforeAll(() => {
    committed = readFileSync(composedSchemaPath(), 'utf8');
    schema = buildSchema(committed);
  });

  it('equals the schema the gateway composes now', async () => {
    const fresh = await composeGatewaySchema();
    // A plain equality would print two 900-line strings; the message says what to do instead.
    if (committed.replace(/\r\n/g, '\n') !== fresh) {
      throw new Error(`${COMPOSED_SCHEMA_FILE} is stale: run npm run schema:emit`);
    }
  });

  it.each(Object.entries(CLIENT_OPERATIONS))('validates the storefront operation %s', (_name, operation) => {
    expect(validate(schema, parse(operation)).map((e) => e.message)).toEqual([]);
  });

  it('opens GraphiQL with examples that validate and use no deprecated field (no squiggles)', () => {
    const errors = validate(schema, parse(GRAPHIQL_DEFAULT_QUERY), [...specifiedRules, NoDeprecatedCustomRule]);
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('declares the gateway fields next to the storefront ones', () => {
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(expect.arrayContaining(['site', 'customer', 'currentCustomer', 'pricing']));
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(
      expect.arrayContaining(['cart', 'login', 'logout', 'customerLoginUrl', 'checkoutLoginUrl', 'loginWithCurrentCustomerJwt']),
    );
  });
});
