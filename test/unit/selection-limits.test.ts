import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getIntrospectionQuery, parse } from 'graphql';
import { parseConfig } from '../../src/config';
import { countSelections, selectionLimitErrors } from '../../src/plugins/selection-limits';

const limits = parseConfig({}).limits;
const verdict = (query: string) => selectionLimitErrors(countSelections(parse(query, { maxTokens: 1_000_000 }), limits.maxSelections), limits);
const PRODUCTS = 'products { edges { node { name } } } ';

describe('countSelections', () => {
  it('counts fields, expanding fragments where spread, merging inline fragments into their set', () => {
    const counts = countSelections(parse(`{ site { ...F ...F ... on Site { settings { storeName } } } } fragment F on Site { products { edges { node { name } } } }`));
    // site + 2 × (products edges node name) + settings storeName
    expect(counts).toMatchObject({ total: 1 + 8 + 2, largestSet: 3, truncated: false });
    // products, edges, node, name each selected twice at one path: one pair each
    expect(counts.fieldMerges).toBe(4);
  });

  it('survives fragment cycles and unknown fragments', () => {
    const counts = countSelections(parse(`{ site { ...A ...Missing } } fragment A on Site { name ...B } fragment B on Site { id ...A }`));
    expect(counts.total).toBe(3);
  });

  it('counts fragments no operation spreads', () => {
    expect(countSelections(parse(`{ a } fragment U on Query { b c }`)).total).toBe(3);
  });

  it('stops at the budget however large the expansion', () => {
    const doubling = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Site { ${i === 0 ? 'name' : `...F${i - 1} ...F${i - 1}`} }`).join(' ');
    const counts = countSelections(parse(`{ site { ...F39 } } ${doubling}`), 2000);
    expect(counts.truncated).toBe(true);
    expect(counts.total).toBe(2001);
  });
});

describe('selection limits (defaults)', () => {
  it.each<[string, string]>([
    ['17.5 KB of one repeated selection', `{ site { ${PRODUCTS.repeat(490)} } }`],
    ['the repetition inside a fragment', `{ site { ...F } } fragment F on Site { ${PRODUCTS.repeat(300)} }`],
    ['the repetition inside inline fragments', `{ site { ${`... on Site { ${PRODUCTS.repeat(10)} } `.repeat(30)} } }`],
    ['one small fragment spread many times', `{ site { ${'...F '.repeat(400)} } } fragment F on Site { ${PRODUCTS} }`],
    ['deep spreads of one fragment', `{ site { ...F5 } } fragment F0 on Site { ${PRODUCTS} } ${[1, 2, 3, 4, 5].map((i) => `fragment F${i} on Site { ...F${i - 1} ...F${i - 1} ...F${i - 1} ...F${i - 1} }`).join(' ')}`],
    ['fragments spreading fragments (exponential)', `{ site { ...F30 } } ${Array.from({ length: 31 }, (_, i) => `fragment F${i} on Site { ${i === 0 ? 'name' : `...F${i - 1} ...F${i - 1}`} }`).join(' ')}`],
    ['aliases of one field', `{ site { ${Array.from({ length: 300 }, (_, i) => `a${i}: ${PRODUCTS}`).join('')} } }`],
    ['one leaf repeated', `{ site { product(entityId: 1) { ${'name '.repeat(300)} } } }`],
    ['a set of 80 repeated subtrees (merge pairs)', `{ site { ${PRODUCTS.repeat(80)} } }`],
    ['the same leaf under many paths (nested repetition)', `{ site { product(entityId: 1) { ${`variants { edges { node { ${'sku '.repeat(20)} } } } `.repeat(12)} } } }`],
    ['a wide document of distinct sets', `{ ${Array.from({ length: 40 }, (_, i) => `s${i}: site { ${Array.from({ length: 60 }, (_, j) => `f${j}: __typename`).join(' ')} }`).join(' ')} }`],
  ])('refuses %s with MAX_SELECTIONS', (_name, query) => {
    const errors = verdict(query);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MAX_SELECTIONS' });
  });

  it.each<[string, string]>([
    ['the full introspection query', getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })],
    ['a product page with overlapping fragments', productPage()],
    ['the same fragment spread twice', `{ site { ...F ...F } } fragment F on Site { ${PRODUCTS} settings { storeName } }`],
    ['a few repeated fields', `{ site { ${PRODUCTS.repeat(5)} } }`],
  ])('accepts %s', (_name, query) => {
    expect(verdict(query)).toEqual([]);
  });

  it("accepts the repository's own operations", () => {
    const dir = join(__dirname, '..', '..', 'schema', 'operations');
    for (const file of ['current-customer.graphql', 'login.graphql', 'products.graphql', 'sso.graphql']) {
      expect(verdict(readFileSync(join(dir, file), 'utf8'))).toEqual([]);
    }
  });
});

/** Shaped like a large storefront product page: several fragments select the same product fields. */
function productPage(): string {
  const money = 'value currencyCode';
  const prices = `prices { price { ${money} } salePrice { ${money} } basePrice { ${money} } retailPrice { ${money} } priceRange { min { ${money} } max { ${money} } } bulkPricing { minimumQuantity maximumQuantity } }`;
  const image = 'url(width: 500) urlOriginal altText isDefault';
  const card = `fragment Card on Product { entityId name path brand { name path } defaultImage { ${image} } ${prices} }`;
  const details = `fragment Details on Product { entityId name sku upc mpn gtin description plainTextDescription warranty condition minPurchaseQuantity maxPurchaseQuantity ${prices}
    images { edges { node { ${image} } } } seo { pageTitle metaDescription metaKeywords }
    customFields { edges { node { entityId name value } } }
    variants(first: 50) { edges { node { entityId sku isPurchasable defaultImage { ${image} } ${prices} inventory { isInStock aggregated { availableToSell } } } } } }`;
  const schema = `fragment Schema on Product { entityId name sku brand { name } ${prices} reviewSummary { summationOfRatings numberOfReviews } }`;
  const related = `relatedProducts(first: 12) { edges { node { ...Card } } }`;
  return `query ProductPage($id: Int!) { site { settings { storeName url { vanityUrl } } product(entityId: $id) { ...Card ...Details ...Schema ${related} } } } ${card} ${details} ${schema}`;
}
