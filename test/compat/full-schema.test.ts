import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  parse,
  validate,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { buildGateway, gatewayConfig, serveGateway, storefrontOnlyStore, type ServedGateway } from '../../scripts/harness';
import { startMockStorefront, type MockStorefront } from '../../scripts/mock-storefront';
import { CLIENT_OPERATIONS } from './operations';

// Reference data beside the project: ../shared from the repository root, never copied in.
const FULL_SCHEMA_FILE = resolve(__dirname, '../../../shared/bigcommerce/storefront-schema/bigcommerce.graphql');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface GraphQLBody {
  data?: JsonObject | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLBody> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLBody;
  } catch {
    throw new Error(`non-JSON response ${response.status}: ${text.slice(0, 300)}`);
  }
}

/** The data of a response that must have no errors; errors are shown in full, since they are the diagnosis. */
async function data(url: string, query: string, variables: Record<string, unknown> = {}): Promise<JsonObject> {
  const body = await post(url, query, variables);
  if (body.errors !== undefined || !body.data) throw new Error(`gateway answered with errors: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'OBJECT';
  if (isInterfaceType(type)) return 'INTERFACE';
  if (isInputObjectType(type)) return 'INPUT_OBJECT';
  if (isEnumType(type)) return 'ENUM';
  return isAbstractType(type) ? 'UNION' : 'SCALAR';
}

/** `name(arg: Type, …): Type` with arguments sorted: argument order is not part of a client's contract. */
function signature(field: GraphQLField<unknown, unknown>): string {
  const args = [...field.args].sort((a, b) => a.name.localeCompare(b.name)).map((a: GraphQLArgument) => `${a.name}: ${String(a.type)}`);
  return `${field.name}(${args.join(', ')}): ${String(field.type)}`;
}

function obj(value: Json | undefined, where: string): JsonObject {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`expected an object at ${where}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function list(value: Json | undefined, where: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`expected a list at ${where}, got ${JSON.stringify(value)}`);
  return value;
}

describe('full Storefront schema from ../shared/bigcommerce/storefront-schema (773 types)', () => {
  let full: GraphQLSchema;
  let mock: MockStorefront;
  const gateways: Record<string, ServedGateway> = {};
  const served: Record<string, GraphQLSchema> = {};

  /**
   * The abstract value resolved to a valid implementation, and the inline fragment written for that
   * implementation (if any) contributed its fields — while no other implementation's fragment did.
   */
  function expectResolved(value: Json | undefined, abstractType: string, fragments: Record<string, string[]>, where: string): JsonObject {
    const object = obj(value, where);
    const abstract = full.getType(abstractType);
    if (!abstract || !isAbstractType(abstract)) throw new Error(`${abstractType} is not an abstract type of the full schema`);
    const possible = full.getPossibleTypes(abstract).map((t) => t.name);
    expect(possible).toContain(object.__typename);
    const typename = String(object.__typename);
    for (const [fragmentType, fields] of Object.entries(fragments)) {
      const condition = full.getType(fragmentType);
      // A fragment applies to its own type, or to every implementation of an interface it names.
      const applies = fragmentType === typename || (condition !== undefined && isAbstractType(condition) && full.getPossibleTypes(condition).some((t) => t.name === typename));
      for (const field of fields) {
        if (applies) expect({ where, typename, field, present: object[field] !== undefined }).toEqual({ where, typename, field, present: true });
      }
    }
    // Fields of fragments that do not apply must not leak in (a stitching bug would merge them).
    const ownFields = new Set(Object.keys((full.getType(typename) as { getFields(): Record<string, unknown> }).getFields()));
    for (const key of Object.keys(object)) {
      if (key !== '__typename') expect({ where, typename, key, isField: ownFields.has(key) }).toEqual({ where, typename, key, isField: true });
    }
    return object;
  }

  beforeAll(async () => {
    if (!existsSync(FULL_SCHEMA_FILE)) {
      throw new Error(
        `Full Storefront schema not found at ${FULL_SCHEMA_FILE}. These tests read the reference data beside the ` +
          'project (../shared/bigcommerce/storefront-schema/bigcommerce.graphql, relative to the repository root); ' +
          'check out or copy shared/ next to the repository.',
      );
    }
    const sdl = readFileSync(FULL_SCHEMA_FILE, 'utf8');
    full = buildSchema(sdl);
    mock = await startMockStorefront(sdl);
    // Both production start-up paths: introspecting the upstream, and BC_SCHEMA_FILE.
    gateways.introspection = await serveGateway(await buildGateway(gatewayConfig(storefrontOnlyStore(mock.url))));
    gateways.schemaFile = await serveGateway(
      await buildGateway(gatewayConfig(storefrontOnlyStore(mock.url), { schemaFile: FULL_SCHEMA_FILE })),
    );
    for (const [name, gateway] of Object.entries(gateways)) {
      // Deprecated arguments (e.g. generateSessionSyncJwt.visitorId) are only listed when asked for.
      const introspection = await data(gateway.graphqlUrl, getIntrospectionQuery({ inputValueDeprecation: true }));
      served[name] = buildClientSchema(introspection as unknown as IntrospectionQuery);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(gateways).map((g) => g.close()));
    await mock?.close();
  });

  it('reads the 773-type schema', () => {
    expect(Object.keys(full.getTypeMap()).filter((name) => !name.startsWith('__'))).toHaveLength(773);
  });

  describe.each(['introspection', 'schemaFile'])('gateway started by %s', (path) => {
    it('serves every Query and Mutation root field with the same arguments and type (login/logout as the gateway’s own)', () => {
      const schema = served[path];
      for (const root of ['Query', 'Mutation'] as const) {
        const fullFields = (root === 'Query' ? full.getQueryType() : full.getMutationType())!.getFields();
        const servedFields = (root === 'Query' ? schema.getQueryType() : schema.getMutationType())!.getFields();
        const expected = Object.values(fullFields).map(signature).sort();
        const actual = Object.keys(fullFields).map((name) => (servedFields[name] ? signature(servedFields[name]) : `${name}: MISSING`)).sort();
        expect(actual).toEqual(expected);
      }
    });

    it('serves every named type of the full schema with the same kind', () => {
      const schema = served[path];
      const mismatches = Object.values(full.getTypeMap())
        .filter((type) => !type.name.startsWith('__'))
        .map((type) => {
          const servedType = schema.getType(type.name);
          return servedType ? (kindOf(servedType) === kindOf(type) ? null : `${type.name}: ${kindOf(type)} → ${kindOf(servedType)}`) : `${type.name}: MISSING`;
        })
        .filter((problem): problem is string => problem !== null);
      expect(mismatches).toEqual([]);
    });

    it('serves every field, input field and enum value of the full schema with the same type', () => {
      const schema = served[path];
      const problems: string[] = [];
      for (const type of Object.values(full.getTypeMap())) {
        if (type.name.startsWith('__')) continue;
        const servedType = schema.getType(type.name);
        if ((isObjectType(type) || isInterfaceType(type)) && servedType && (isObjectType(servedType) || isInterfaceType(servedType))) {
          const servedFields = servedType.getFields();
          for (const field of Object.values(type.getFields())) {
            const other = servedFields[field.name];
            if (!other || signature(other) !== signature(field)) problems.push(`${type.name}.${signature(field)}`);
          }
        } else if (isInputObjectType(type) && servedType && isInputObjectType(servedType)) {
          const servedFields = servedType.getFields();
          for (const field of Object.values(type.getFields())) {
            if (String(servedFields[field.name]?.type) !== String(field.type)) problems.push(`${type.name}.${field.name}: ${String(field.type)}`);
          }
        } else if (isEnumType(type) && servedType && isEnumType(servedType)) {
          const values = new Set(servedType.getValues().map((v) => v.name));
          for (const value of type.getValues()) if (!values.has(value.name)) problems.push(`${type.name}.${value.name}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('adds the gateway fields', () => {
      const schema = served[path];
      expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(expect.arrayContaining(['currentCustomer', 'pricing']));
      expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(
        expect.arrayContaining(['customerLoginUrl', 'checkoutLoginUrl', 'loginWithCurrentCustomerJwt']),
      );
      const product = schema.getType('Product');
      const loginResult = schema.getType('LoginResult');
      expect(product && isObjectType(product) && product.getFields().pricing?.type.toString()).toBe('ProductPricing');
      expect(loginResult && isObjectType(loginResult) && loginResult.getFields().sessionToken?.type.toString()).toBe('String');
    });

    it.each(Object.entries(CLIENT_OPERATIONS))('validates the client operation %s', (_name, operation) => {
      expect(validate(served[path], parse(operation)).map((e) => e.message)).toEqual([]);
    });

    it('executes node(id:) with inline fragments on Product and Category', async () => {
      const result = await data(
        gateways[path].graphqlUrl,
        /* GraphQL */ `
          query NodeById($id: ID!) {
            node(id: $id) {
              __typename
              id
              ... on Product { entityId name }
              ... on Category { entityId name path }
            }
          }
        `,
        { id: 'UHJvZHVjdDoxMTE=' },
      );
      expectResolved(result.node, 'Node', { Node: ['id'], Product: ['entityId', 'name'], Category: ['entityId', 'name', 'path'] }, 'node');
    });

    it('executes a product search with named fragments, the BulkPricingTier and SearchProductFilter interfaces', async () => {
      const result = await data(
        gateways[path].graphqlUrl,
        /* GraphQL */ `
          query Search($term: String!) {
            site {
              search {
                searchProducts(filters: { searchTerm: $term }) {
                  products(first: 2) { edges { node { __typename ...SearchProductCard } } }
                  filters(first: 5) {
                    edges {
                      node {
                        __typename
                        name
                        displayName
                        ... on CategorySearchFilter { displayProductCount }
                        ... on BrandSearchFilter { displayItemsCount }
                      }
                    }
                  }
                }
              }
            }
          }
          fragment SearchProductCard on Product {
            entityId
            name
            prices {
              price { value currencyCode }
              bulkPricing {
                __typename
                minimumQuantity
                ... on BulkPricingFixedPriceDiscount { price }
                ... on BulkPricingPercentageDiscount { percentOff }
                ... on BulkPricingRelativePriceDiscount { priceAdjustment }
              }
            }
          }
        `,
        { term: 'shirt' },
      );
      const search = obj(obj(obj(result.site, 'site').search, 'search').searchProducts, 'searchProducts');
      const products = list(obj(search.products, 'products').edges, 'products.edges');
      expect(products.length).toBeGreaterThan(0);
      for (const edge of products) {
        const product = obj(obj(edge, 'edge').node, 'product');
        expect(product.__typename).toBe('Product');
        expect(typeof product.name).toBe('string');
        for (const tier of list(obj(product.prices, 'prices').bulkPricing, 'bulkPricing')) {
          expectResolved(
            tier,
            'BulkPricingTier',
            {
              BulkPricingTier: ['minimumQuantity'],
              BulkPricingFixedPriceDiscount: ['price'],
              BulkPricingPercentageDiscount: ['percentOff'],
              BulkPricingRelativePriceDiscount: ['priceAdjustment'],
            },
            'bulkPricing[]',
          );
        }
      }
      for (const edge of list(obj(search.filters, 'filters').edges, 'filters.edges')) {
        expectResolved(
          obj(edge, 'edge').node,
          'SearchProductFilter',
          { SearchProductFilter: ['name', 'displayName'], CategorySearchFilter: ['displayProductCount'], BrandSearchFilter: ['displayItemsCount'] },
          'filters[]',
        );
      }
    });

    it('executes a route lookup: the Node interface and the RedirectTo union', async () => {
      const result = await data(
        gateways[path].graphqlUrl,
        /* GraphQL */ `
          query Route($path: String!) {
            site {
              route(path: $path) {
                node {
                  __typename
                  id
                  ... on Product { name }
                  ... on Category { name }
                  ... on Brand { name }
                  ... on NormalPage { name htmlBody }
                }
                redirect {
                  fromPath
                  to {
                    __typename
                    ... on ManualRedirect { url }
                    ... on ProductRedirect { path }
                    ... on CategoryRedirect { path }
                  }
                }
              }
            }
          }
        `,
        { path: '/shop-all/' },
      );
      const route = obj(obj(result.site, 'site').route, 'route');
      expectResolved(
        route.node,
        'Node',
        { Node: ['id'], Product: ['name'], Category: ['name'], Brand: ['name'], NormalPage: ['name', 'htmlBody'] },
        'route.node',
      );
      const redirect = obj(route.redirect, 'route.redirect');
      expectResolved(redirect.to, 'RedirectTo', { ManualRedirect: ['url'], ProductRedirect: ['path'], CategoryRedirect: ['path'] }, 'redirect.to');
    });

    it('executes settings and content: the StoreLogo union, FormField and WebPage interfaces, rendered regions', async () => {
      const result = await data(
        gateways[path].graphqlUrl,
        /* GraphQL */ `
          query Layout {
            site {
              settings {
                storeName
                logoV2 {
                  __typename
                  ... on StoreTextLogo { text }
                  ... on StoreImageLogo { image { url(width: 200) altText } }
                }
                formFields { customer { __typename entityId label isRequired ... on TextFormField { maxLength } } }
              }
              content {
                renderedRegionsByPageType(pageType: HOME) { regions { name html } }
                pages(first: 3) {
                  edges {
                    node {
                      __typename
                      name
                      ... on NormalPage { htmlBody }
                      ... on ExternalLinkPage { link }
                    }
                  }
                }
              }
            }
          }
        `,
      );
      const site = obj(result.site, 'site');
      const settings = obj(site.settings, 'settings');
      expectResolved(settings.logoV2, 'StoreLogo', { StoreTextLogo: ['text'], StoreImageLogo: ['image'] }, 'logoV2');
      for (const field of list(obj(settings.formFields, 'formFields').customer, 'formFields.customer')) {
        expectResolved(field, 'FormField', { FormField: ['entityId', 'label', 'isRequired'], TextFormField: ['maxLength'] }, 'formFields[]');
      }
      const content = obj(site.content, 'content');
      for (const region of list(obj(content.renderedRegionsByPageType, 'renderedRegionsByPageType').regions, 'regions')) {
        expect(typeof obj(region, 'region').html).toBe('string');
      }
      for (const edge of list(obj(content.pages, 'pages').edges, 'pages.edges')) {
        expectResolved(obj(edge, 'edge').node, 'WebPage', { WebPage: ['name'], NormalPage: ['htmlBody'], ExternalLinkPage: ['link'] }, 'pages[]');
      }
    });

    it('executes mutations: cart creation with the CartSelectedOption interface, newsletter errors as a union of Error', async () => {
      const result = await data(
        gateways[path].graphqlUrl,
        /* GraphQL */ `
          mutation CreateCartAndSubscribe($cart: CreateCartInput!, $subscriber: CreateSubscriberInput!) {
            cart {
              createCart(input: $cart) {
                cart {
                  entityId
                  lineItems {
                    totalQuantity
                    physicalItems {
                      name
                      selectedOptions {
                        __typename
                        name
                        ... on CartSelectedMultipleChoiceOption { value valueEntityId }
                        ... on CartSelectedCheckboxOption { value }
                      }
                    }
                  }
                }
              }
            }
            newsletter {
              subscribe(input: $subscriber) { errors { __typename ... on Error { message } } }
            }
          }
        `,
        { cart: { lineItems: [{ quantity: 1, productEntityId: 111 }] }, subscriber: { email: 'shopper@example.com' } },
      );
      const cart = obj(obj(obj(result.cart, 'cart').createCart, 'createCart').cart, 'createCart.cart');
      for (const item of list(obj(cart.lineItems, 'lineItems').physicalItems, 'physicalItems')) {
        for (const option of list(obj(item, 'item').selectedOptions, 'selectedOptions')) {
          expectResolved(
            option,
            'CartSelectedOption',
            { CartSelectedOption: ['name'], CartSelectedMultipleChoiceOption: ['value', 'valueEntityId'], CartSelectedCheckboxOption: ['value'] },
            'selectedOptions[]',
          );
        }
      }
      for (const error of list(obj(obj(result.newsletter, 'newsletter').subscribe, 'subscribe').errors, 'errors')) {
        expectResolved(error, 'CreateSubscriberError', { Error: ['message'] }, 'subscribe.errors[]');
      }
    });
  });
});
