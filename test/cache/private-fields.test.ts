// The never-cached list (src/cache/private-fields.ts) against BigCommerce's full Storefront schema: a new root
// field, or a new type that only a shopper's own data reaches, fails here until someone classifies it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  extendSchema,
  Kind,
  type DefinitionNode,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  parse,
  validate,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { cacheVerdict, isPrivateField, PRIVATE_ROOT_FIELDS, PRIVATE_TYPES, PUBLIC_NODE_TYPES, PUBLIC_ROOT_FIELDS } from '../../src/cache/private-fields';

const FULL_SCHEMA = join(__dirname, '../../../shared/bigcommerce/storefront-schema/bigcommerce.graphql');
const GATEWAY_SDL = ['customer', 'pricing', 'session', 'sso'].map((name) => readFileSync(join(__dirname, `../../schema/gateway/${name}.graphql`), 'utf8'));

/**
 * BigCommerce's schema extended with the gateway's own SDL, as the gateway serves it. The gateway re-declares
 * BigCommerce's own `login`/`logout` (it handles them): those declarations are skipped here.
 */
function fullSchema(): GraphQLSchema {
  const base = buildSchema(readFileSync(FULL_SCHEMA, 'utf8'));
  const existing = new Set(Object.keys(base.getMutationType()?.getFields() ?? {}));
  const definitions: DefinitionNode[] = [];
  for (const sdl of GATEWAY_SDL) {
    for (const definition of parse(sdl).definitions) {
      if (definition.kind === Kind.OBJECT_TYPE_EXTENSION && definition.name.value === 'Mutation') {
        definitions.push({ ...definition, fields: definition.fields?.filter((field) => !existing.has(field.name.value)) });
      } else definitions.push(definition);
    }
  }
  return extendSchema(base, { kind: Kind.DOCUMENT, definitions });
}
const schema = fullSchema();

const composite = (type: GraphQLNamedType | undefined) => type !== undefined && (isObjectType(type) || isInterfaceType(type) || isUnionType(type));

/** Composite types reachable from `starts`; with `publicOnly`, never through a private root field or private type. */
function reachable(starts: string[], publicOnly: boolean, privateTypes: ReadonlySet<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name) || (publicOnly && privateTypes.has(name))) continue;
    const type = schema.getType(name);
    if (!composite(type)) continue;
    seen.add(name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (publicOnly && PRIVATE_ROOT_FIELDS.has(`${name}.${field.name}`)) continue;
        stack.push(getNamedType(field.type).name);
      }
      if (isInterfaceType(type)) stack.push(...schema.getPossibleTypes(type).map((t) => t.name));
    }
    if (isUnionType(type)) stack.push(...type.getTypes().map((t) => t.name));
  }
  return seen;
}

const returnTypeOf = (coordinate: string) => {
  const [typeName, fieldName] = coordinate.split('.');
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  return getNamedType(type.getFields()[fieldName].type).name;
};

describe('the never-cached list covers the full Storefront schema', () => {
  it('classifies every root field of Query and Site as private or reviewed-public (a new one fails here)', () => {
    const unclassified: string[] = [];
    for (const root of ['Query', 'Site']) {
      const type = schema.getType(root);
      if (!isObjectType(type)) throw new Error(`${root} missing`);
      for (const field of Object.keys(type.getFields())) {
        const coordinate = `${root}.${field}`;
        if (!PRIVATE_ROOT_FIELDS.has(coordinate) && !PUBLIC_ROOT_FIELDS.has(coordinate)) unclassified.push(coordinate);
        if (PRIVATE_ROOT_FIELDS.has(coordinate) && PUBLIC_ROOT_FIELDS.has(coordinate)) unclassified.push(`${coordinate} (in both lists)`);
      }
    }
    expect(unclassified).toEqual([]);
  });

  it('classifies every Node implementation (carts, checkouts, orders, wallets are nodes too)', () => {
    const node = schema.getType('Node');
    if (!isInterfaceType(node)) throw new Error('Node missing');
    const unclassified = schema.getPossibleTypes(node).map((t) => t.name).filter((name) => PRIVATE_TYPES.has(name) === PUBLIC_NODE_TYPES.has(name));
    expect(unclassified).toEqual([]);
  });

  it('lists every type reachable only through private fields (customer, cart, checkout, orders, wishlists, …)', () => {
    // Entry types: what the private root fields return (Node excepted: `site.route { node }` is public; a
    // fragment on a private node type is caught by the type list itself).
    const entries = [...PRIVATE_ROOT_FIELDS].filter((c) => schema.getType(c.split('.')[0])).map(returnTypeOf).filter((t) => t !== 'Node');
    for (const entry of entries) expect({ entry, listed: PRIVATE_TYPES.has(entry) || !composite(schema.getType(entry)) }).toEqual({ entry, listed: true });
    const publicTypes = reachable(['Query'], true, PRIVATE_TYPES);
    const privateOnly = [...reachable(entries, false, PRIVATE_TYPES)].filter((name) => !publicTypes.has(name));
    expect(privateOnly.filter((name) => !PRIVATE_TYPES.has(name)).sort()).toEqual([]);
    // And the list names nothing that the public catalog also reaches (that would stop caching product pages).
    expect([...PRIVATE_TYPES].filter((name) => publicTypes.has(name))).toEqual([]);
  });

  it('the customer-owned types are in the list by name', () => {
    for (const name of ['Customer', 'Cart', 'Checkout', 'OrderWithPayments', 'Order', 'Wishlist', 'PublicWishlist', 'CustomerAddress', 'StoredPaymentInstrument', 'CurrentCustomer', 'GatewaySession', 'CustomerLoginUrl']) {
      expect({ name, private: PRIVATE_TYPES.has(name) }).toEqual({ name, private: true });
    }
  });

  it('refuses to cache any document that selects a field of, or returning, a private type — whatever the alias', () => {
    const offenders: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || type.name === 'Mutation') continue;
      for (const field of Object.values(type.getFields())) {
        const returns = getNamedType(field.type).name;
        if (!PRIVATE_TYPES.has(returns) && !PRIVATE_TYPES.has(type.name)) continue;
        if (!isPrivateField(type.name, field.name, returns)) offenders.push(`${type.name}.${field.name}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  const verdictOf = (query: string) => {
    const document = parse(query);
    expect(validate(schema, document)).toEqual([]);
    return cacheVerdict(schema, document);
  };

  it.each([
    ['a catalog page', '{ site { products(first: 2) { edges { node { entityId name prices { price { value } } pricing { price { asEntered } } } } } } }', 'cacheable'],
    ['a route to a product', '{ site { route(path: "/p") { node { id ... on Product { name } } } } }', 'cacheable'],
    ['the customer', '{ customer { email } }', 'private'],
    ['the customer under an alias', '{ c: customer { e: email } }', 'private'],
    ['the customer behind a fragment', 'query { ...F } fragment F on Query { customer { entityId } }', 'private'],
    ['a cart under an alias beside catalog data', '{ site { product(entityId: 1) { name } x: cart { entityId } } }', 'private'],
    ['a fragment on a private type through route.node', '{ site { route(path: "/x") { node { ... on Cart { entityId } } } } }', 'private'],
    ['a named fragment on a private type', '{ site { route(path: "/x") { node { ...O } } } } fragment O on Order { entityId }', 'private'],
    ['orders', '{ customer { orders { edges { node { entityId } } } } }', 'private'],
    ['node by id', '{ node(id: "x") { id } }', 'private'],
    ['currentCustomer', '{ currentCustomer { email } }', 'private'],
    ['a public wishlist by token', '{ site { publicWishlist(token: "t") { name } } }', 'private'],
    ['promotion banners for a cart', '{ site { promotion { banners(cartEntityId: "c") { content } } } }', 'private'],
    ['introspection', '{ __schema { queryType { name } } }', 'introspection'],
    ['__type', '{ __type(name: "Product") { name } }', 'introspection'],
    ['a mutation', 'mutation { logout { result } }', 'not-a-query'],
  ])('%s → %s', (_name, query, expected) => {
    expect(verdictOf(query)).toBe(expected);
  });
});
