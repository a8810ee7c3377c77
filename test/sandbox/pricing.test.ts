// The pricing module (shared by storefront GraphQL and REST) and the seed data requirements.
import { buildCatalog, type Catalog } from '../../sandbox/catalog';
import { priceProduct, priceSourceFor, unitPriceForQuantity } from '../../sandbox/pricing';
import { SEED, type Seed } from '../../sandbox/seed';
import { verifyPassword } from '../../sandbox/passwords';

const catalog = buildCatalog(SEED);

function withSeed(change: (seed: Seed) => void): Catalog {
  const copy = JSON.parse(JSON.stringify(SEED)) as Seed;
  change(copy);
  return buildCatalog(copy);
}

describe('seed data', () => {
  it('has at least 50 products, some with variants, sale prices and bulk tiers', () => {
    expect(SEED.products.length).toBeGreaterThanOrEqual(50);
    expect(SEED.products.some((p) => p.variants.length > 1)).toBe(true);
    expect(SEED.products.some((p) => p.salePrice !== undefined)).toBe(true);
    expect(SEED.products.some((p) => (p.bulkPricing ?? []).length > 0)).toBe(true);
    for (const p of SEED.products) for (const t of p.bulkPricing ?? []) expect(['percent', 'price', 'fixed']).toContain(t.type);
  });

  it('has Retail (default) and Wholesale groups with a price list, and the demo accounts with stable ids', () => {
    expect(catalog.groups.get(1)).toMatchObject({ name: 'Retail', isDefault: true });
    expect(catalog.groups.get(2)).toMatchObject({ name: 'Wholesale' });
    expect(SEED.priceListAssignments).toContainEqual(expect.objectContaining({ priceListId: 1, customerGroupId: 2, channelId: 1 }));
    expect(catalog.customerByEmail.get('retail@example.com')).toMatchObject({ id: 1, customerGroupId: 1 });
    expect(catalog.customerByEmail.get('wholesale@example.com')).toMatchObject({ id: 2, customerGroupId: 2 });
  });

  it('stores scrypt password hashes that verify the documented passwords only', async () => {
    for (const c of SEED.customers) expect(c.passwordHash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$/);
    const wholesale = catalog.customerByEmail.get('wholesale@example.com')!;
    expect(await verifyPassword('Wholesale1!', wholesale.passwordHash)).toBe(true);
    expect(await verifyPassword('wholesale1!', wholesale.passwordHash)).toBe(false);
    expect(await verifyPassword('Retail1!', catalog.customerByEmail.get('retail@example.com')!.passwordHash)).toBe(true);
    expect(await verifyPassword('anything', undefined)).toBe(false);
  });
});

describe('price source order (price list for group+channel → group → group discount → channel default → catalog)', () => {
  it('prefers the list assigned to the group and the channel', () => {
    expect(priceSourceFor(catalog, 2, 1)).toEqual({ kind: 'price_list', priceListId: 1 });
  });
  it('falls back to the group list on another channel', () => {
    expect(priceSourceFor(catalog, 2, 5)).toEqual({ kind: 'price_list', priceListId: 2 });
  });
  it('uses group discounts when the group has no list', () => {
    expect(priceSourceFor(catalog, 3, 1)).toMatchObject({ kind: 'group_discount' });
  });
  it('uses the channel default list, else the catalog', () => {
    const withDefault = withSeed((s) => s.priceListAssignments.push({ id: 9, priceListId: 2, customerGroupId: null, channelId: 1 }));
    expect(priceSourceFor(withDefault, 1, 1)).toEqual({ kind: 'price_list', priceListId: 2 });
    expect(priceSourceFor(withDefault, null, 1)).toEqual({ kind: 'price_list', priceListId: 2 });
    expect(priceSourceFor(catalog, 1, 1)).toEqual({ kind: 'catalog' });
    expect(priceSourceFor(catalog, null, 1)).toEqual({ kind: 'catalog' });
  });
  it('ignores inactive lists', () => {
    const inactive = withSeed((s) => s.priceLists.forEach((l) => (l.active = false)));
    expect(priceSourceFor(inactive, 2, 1)).toEqual({ kind: 'catalog' });
  });
  it('honours a guest group when one is marked is_group_for_guests', () => {
    const guests = withSeed((s) => (s.customerGroups[2].isGroupForGuests = true));
    expect(priceSourceFor(guests, null, 1)).toMatchObject({ kind: 'group_discount' });
  });
});

describe('prices', () => {
  const q = (groupId: number | null) => ({ groupId, channelId: 1, currencyCode: 'USD' });
  it('price records replace catalog prices and drop product bulk pricing; missing records fall back to the catalog', () => {
    const product = catalog.productById.get(102)!;
    const guest = priceProduct(catalog, product, undefined, q(null))!;
    const wholesale = priceProduct(catalog, product, undefined, q(2))!;
    expect(guest.bulkPricing.length).toBeGreaterThan(0);
    expect(wholesale.source).toBe('price_list');
    expect(wholesale.price).toBeCloseTo(guest.price * 0.7, 2);
    expect(wholesale.basePrice).toBe(guest.basePrice);
    expect(wholesale.bulkPricing).toEqual([]);
    const noRecord = priceProduct(catalog, catalog.productById.get(109)!, undefined, q(2))!;
    expect(noRecord.source).toBe('catalog');
  });
  it('group discounts apply to the sale price and not to price-list prices', () => {
    const product = catalog.productById.get(101)!;
    const guest = priceProduct(catalog, product, undefined, q(null))!;
    const vip = priceProduct(catalog, product, undefined, q(3))!;
    expect(guest.calculatedPrice).toBe(guest.salePrice);
    expect(vip.calculatedPrice).toBeCloseTo(guest.salePrice! * 0.9, 2);
  });
  it('computes ranges over variants and unit prices with bulk tiers', () => {
    const withVariants = priceProduct(catalog, catalog.productById.get(100)!, undefined, q(null))!;
    expect(withVariants.priceRange.max).toBeGreaterThan(withVariants.priceRange.min);
    const bulk = priceProduct(catalog, catalog.productById.get(102)!, undefined, q(null))!;
    expect(unitPriceForQuantity(bulk, 1)).toBe(bulk.calculatedPrice);
    expect(unitPriceForQuantity(bulk, 10)).toBeCloseTo(bulk.calculatedPrice * 0.9, 2);
  });
  it('returns null for a variant of another product', () => {
    expect(priceProduct(catalog, catalog.productById.get(100)!, 999999, q(null))).toBeNull();
  });
});
