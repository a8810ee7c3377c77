// GET and PUT /v3/catalog/products/{product_id} (developer.bigcommerce.com/docs/rest-catalog/products, "Get a
// Product" / "Update a Product"). A PUT that changes anything fires store/product/updated.
//
// Modelled fields: name, description, price, sale_price, retail_price, map_price, is_visible, categories. Read-only
// fields (id, calculated_price, date_*, base_variant_id) and fields the sandbox does not model are ignored, as
// BigCommerce ignores read-only ones. A 0 sale/retail/MAP price means "not set", as in BigCommerce's product resource.
import { isVisible, type Catalog } from './catalog';
import type { SeedProduct } from './seed';
import type { PublishEvent } from './webhook-events';
import { invalid, isAmount, jsonBody, methodNotAllowed, notFound, pathInt, RestError, type Json, type RestRoutes } from './rest-util';

/** The product_Full fields the sandbox models (the rest of BigCommerce's resource is left out). */
export function productResource(p: SeedProduct): Json {
  const sale = p.salePrice ?? null;
  return {
    id: p.entityId,
    name: p.name,
    type: 'physical',
    sku: p.sku,
    description: p.description,
    price: p.price,
    cost_price: 0,
    retail_price: p.retailPrice ?? 0,
    sale_price: sale ?? 0,
    map_price: p.mapPrice ?? 0,
    calculated_price: sale !== null && sale < p.price ? sale : p.price,
    categories: p.categoryIds,
    is_visible: isVisible(p),
    custom_url: { url: p.path, is_customized: false },
    base_variant_id: p.variants[0]?.entityId ?? null,
  };
}

type ProductPatch = Partial<Pick<SeedProduct, 'name' | 'description' | 'price' | 'isVisible' | 'categoryIds'>> & {
  salePrice?: number | null;
  retailPrice?: number | null;
  mapPrice?: number | null;
};

function parsePatch(body: Json, catalog: Catalog, product: SeedProduct): ProductPatch {
  const errors: Record<string, string> = {};
  const patch: ProductPatch = {};
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 250) errors.name = 'name must be a string of 1 to 250 characters.';
    else patch.name = body.name;
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string') errors.description = 'description must be a string.';
    else patch.description = body.description;
  }
  if (body.price !== undefined) {
    if (!isAmount(body.price)) errors.price = 'price must be a number >= 0.';
    else patch.price = body.price;
  }
  const optionalAmounts = [
    ['sale_price', 'salePrice'],
    ['retail_price', 'retailPrice'],
    ['map_price', 'mapPrice'],
  ] as const;
  for (const [field, key] of optionalAmounts) {
    const v = body[field];
    if (v === undefined) continue;
    if (!isAmount(v)) errors[field] = `${field} must be a number >= 0.`;
    else patch[key] = v === 0 ? null : v;
  }
  if (body.is_visible !== undefined) {
    if (typeof body.is_visible !== 'boolean') errors.is_visible = 'is_visible must be a boolean.';
    else patch.isVisible = body.is_visible;
  }
  if (body.categories !== undefined) {
    const ids = body.categories;
    const known = new Set(catalog.categories.map((c) => c.id));
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'number' && known.has(id))) errors.categories = 'categories must be an array of existing category ids.';
    else patch.categoryIds = ids as number[];
  }
  if (Object.keys(errors).length > 0) throw invalid(errors);
  if (patch.name !== undefined && catalog.products.some((p) => p !== product && p.name.toLowerCase() === patch.name?.toLowerCase())) {
    // "409: Product was in conflict with another product ... duplicate unique values, such as name or SKU".
    throw new RestError(409, 'The product name is a duplicate', { name: 'A product with this name already exists.' });
  }
  return patch;
}

/** Applies a patch; true when some value changed. Unset optional prices are deleted so pricing.ts sees them as absent. */
function applyPatch(product: SeedProduct, patch: ProductPatch): boolean {
  const before = JSON.stringify(productResource(product));
  if (patch.name !== undefined) product.name = patch.name;
  if (patch.description !== undefined) product.description = patch.description;
  if (patch.price !== undefined) product.price = patch.price;
  if (patch.isVisible !== undefined) product.isVisible = patch.isVisible;
  if (patch.categoryIds !== undefined) product.categoryIds = [...patch.categoryIds];
  for (const key of ['salePrice', 'retailPrice', 'mapPrice'] as const) {
    const v = patch[key];
    if (v === null) delete product[key];
    else if (v !== undefined) product[key] = v;
  }
  return JSON.stringify(productResource(product)) !== before;
}

export function createCatalogProductRoutes(catalog: Catalog, publish: PublishEvent): RestRoutes {
  return async ({ method, route, req }) => {
    const m = /^v3\/catalog\/products\/([^/]+)$/.exec(route);
    if (!m) return null;
    const id = pathInt(m[1]);
    const product = id === null ? undefined : catalog.productById.get(id);
    if (method !== 'GET' && method !== 'PUT') throw methodNotAllowed();
    if (!product) throw notFound('The requested product was not found.');
    if (method === 'GET') return { status: 200, body: { data: productResource(product), meta: {} } };
    const patch = parsePatch(await jsonBody(req), catalog, product);
    if (applyPatch(product, patch)) publish({ scope: 'store/product/updated', data: { type: 'product', id: product.entityId } });
    return { status: 200, body: { data: productResource(product), meta: {} } };
  };
}
