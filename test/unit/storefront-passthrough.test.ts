import { buildSchema, parse } from 'graphql';
import { gatewayFieldCoordinates, isStorefrontOnly } from '../../src/plugins/storefront-passthrough';

const schema = buildSchema(/* GraphQL */ `
  type Query { site: Site! customer: Customer currentCustomer: CurrentCustomer node(id: ID!): Node }
  type Mutation { login(email: String!): LoginResult! cart: CartMutations }
  type CartMutations { createCart: String }
  type LoginResult { result: String! sessionToken: String }
  type Site { products: [Product!]! }
  interface Node { id: ID! }
  type Product implements Node { id: ID! name: String! pricing: Pricing }
  type Pricing { price: Float }
  type Customer { email: String! }
  type CurrentCustomer { email: String! }
`);
const gatewayFields = gatewayFieldCoordinates(
  [`extend type Query { currentCustomer: CurrentCustomer } extend type Product { pricing: Pricing } type CurrentCustomer { email: String! }`],
  [{ Mutation: { login: () => null }, LoginResult: { customer: {} } }],
  parse,
);

describe('isStorefrontOnly', () => {
  it.each([
    ['plain storefront fields', `{ site { products { name } } customer { email } }`],
    ['a storefront mutation', `mutation { cart { createCart } }`],
    ['__typename', `{ __typename site { products { __typename } } }`],
  ])('forwards %s', (_name, query) => expect(isStorefrontOnly(schema, parse(query), gatewayFields)).toBe(true));

  it.each([
    ['a gateway root field', `{ currentCustomer { email } }`],
    ['a gateway field on a storefront type', `{ site { products { pricing { price } } } }`],
    ['a gateway field in an inline fragment on an interface', `{ node(id: "1") { ... on Product { pricing { price } } } }`],
    ['a gateway field in a named fragment', `query { site { products { ...P } } } fragment P on Product { pricing { price } }`],
    ['a skipped gateway field (decided on the document, not the variables)', `query($s: Boolean!) { site { products { pricing @skip(if: $s) { price } } } }`],
    ['an intercepted mutation', `mutation { login(email: "a") { result } }`],
    ['introspection', `{ __schema { queryType { name } } }`],
    ['a gateway field in another operation of the document', `query A { customer { email } } query B { currentCustomer { email } }`],
  ])('plans %s', (_name, query) => expect(isStorefrontOnly(schema, parse(query), gatewayFields)).toBe(false));
});
