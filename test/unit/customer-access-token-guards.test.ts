import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema } from 'graphql';
import { customerAccessTokenGuards } from '../../src/resolvers';

const FULL_SCHEMA = resolve(__dirname, '../../../shared/bigcommerce/storefront-schema/bigcommerce.graphql');

describe('customer access token guards (reads ../shared/bigcommerce/storefront-schema/bigcommerce.graphql)', () => {
  it('withhold every CustomerAccessToken field of the full Storefront schema', () => {
    if (!existsSync(FULL_SCHEMA)) throw new Error(`BigCommerce's full Storefront schema is missing: expected at ${FULL_SCHEMA}`);
    const guards = customerAccessTokenGuards(buildSchema(readFileSync(FULL_SCHEMA, 'utf8')));
    const coordinates = Object.entries(guards).flatMap(([type, fields]) => Object.keys(fields).map((field) => `${type}.${field}`));
    expect(coordinates.sort()).toEqual(['LoginResult.customerAccessToken', 'LoginWithCustomerLoginJwtResult.customerAccessToken', 'SessionSyncJwtContent.customerAccessToken']);
    for (const fields of Object.values(guards)) for (const guard of Object.values(fields)) expect(guard.resolve()).toBeNull();
  });

  it('refuse to serve a schema whose CustomerAccessToken field cannot be nulled', () => {
    const schema = buildSchema(`type Query { x: Result } type Result { customerAccessToken: CustomerAccessToken! } type CustomerAccessToken { value: String! }`);
    expect(() => customerAccessTokenGuards(schema)).toThrow(/non-null CustomerAccessToken/);
  });
});
