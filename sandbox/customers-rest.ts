// Customers admin REST (developer.bigcommerce.com/docs/rest-management/customers; spec customers.v3.yml):
//   GET    /v3/customers               filtered (id:in, email:in, customer_group_id:in), paginated list
//   PUT    /v3/customers               batch update (up to 10), all or nothing
//   DELETE /v3/customers?id:in=...     delete by ids
// Every customer a PUT changes fires store/customer/updated, a delete store/customer/deleted, with
// `data: {type: 'customer', id}` (/docs/integrations/webhooks/events, "Customer"). As on BigCommerce the event does
// not say what changed. Modelled fields: email, first_name, last_name, company, phone, customer_group_id and
// authentication (force_password_reset, new_password); read-only and unmodelled fields are ignored.
import type { Catalog } from './catalog';
import { hashPassword } from './passwords';
import type { SeedCustomer } from './seed';
import type { PublishEvent } from './webhook-events';
import { invalid, isInt, jsonArrayBody, methodNotAllowed, paginate, queryIntList, RestError, type Json, type RestRoutes } from './rest-util';

export const MAX_CUSTOMERS_PER_UPDATE = 10;
/** When the seed customers were created (the seed has no dates of its own). */
const SEED_CREATED = '2024-01-15T10:00:00Z';

interface CustomerMeta {
  dateModified: string;
  forcePasswordReset: boolean;
}

/** customer_Full, with the fields the sandbox models. */
function customerResource(c: SeedCustomer, meta: CustomerMeta | undefined, channelId: number): Json {
  return {
    id: c.id,
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    company: c.company,
    phone: c.phone,
    registration_ip_address: '',
    notes: '',
    tax_exempt_category: '',
    customer_group_id: c.customerGroupId,
    date_created: SEED_CREATED,
    date_modified: meta?.dateModified ?? SEED_CREATED,
    address_count: 0,
    attribute_count: 0,
    authentication: { force_password_reset: meta?.forcePasswordReset ?? false },
    accepts_product_review_abandoned_cart_emails: false,
    origin_channel_id: channelId,
    channel_ids: [channelId],
  };
}

type Patch = Partial<Pick<SeedCustomer, 'email' | 'firstName' | 'lastName' | 'company' | 'phone' | 'customerGroupId'>> & {
  forcePasswordReset?: boolean;
  newPassword?: string;
};

const STRING_FIELDS = [
  ['email', 'email'],
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
  ['company', 'company'],
  ['phone', 'phone'],
] as const;

function parseItem(item: unknown, index: number, catalog: Catalog, errors: Record<string, string>): { customer: SeedCustomer; patch: Patch } | null {
  const at = (field: string) => `${index}.${field}`;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    errors[String(index)] = 'Each item must be a customer object.';
    return null;
  }
  const body = item as Json;
  if (!isInt(body.id)) {
    errors[at('id')] = 'id is required (integer).';
    return null;
  }
  const customer = catalog.customers.get(body.id);
  if (!customer) {
    errors[at('id')] = `Customer ${body.id} not found.`;
    return null;
  }
  const patch: Patch = {};
  for (const [wire, field] of STRING_FIELDS) {
    const value = body[wire];
    if (value === undefined) continue;
    if (typeof value !== 'string' || (wire === 'email' && !/^[^\s@]+@[^\s@]+$/.test(value))) errors[at(wire)] = `${wire} must be a${wire === 'email' ? 'n email address' : ' string'}.`;
    else patch[field] = value;
  }
  if (patch.email !== undefined) {
    const holder = catalog.customerByEmail.get(patch.email.toLowerCase());
    if (holder && holder.id !== customer.id) errors[at('email')] = 'Email address is already in use.';
  }
  if (body.customer_group_id !== undefined) {
    if (!isInt(body.customer_group_id) || !catalog.groups.has(body.customer_group_id)) errors[at('customer_group_id')] = 'Customer group not found.';
    else patch.customerGroupId = body.customer_group_id;
  }
  const auth = body.authentication;
  if (auth !== undefined) {
    const a = typeof auth === 'object' && auth !== null && !Array.isArray(auth) ? (auth as Json) : undefined;
    if (!a) errors[at('authentication')] = 'authentication must be an object.';
    else {
      if (a.force_password_reset !== undefined) {
        if (typeof a.force_password_reset !== 'boolean') errors[at('authentication.force_password_reset')] = 'force_password_reset must be a boolean.';
        else patch.forcePasswordReset = a.force_password_reset;
      }
      if (a.new_password !== undefined) {
        if (typeof a.new_password !== 'string' || a.new_password.length < 7) errors[at('authentication.new_password')] = 'new_password must be at least 7 characters.';
        else patch.newPassword = a.new_password;
      }
    }
  }
  return { customer, patch };
}

export function createCustomerRoutes(catalog: Catalog, channelId: number, publish: PublishEvent, now: () => number): RestRoutes {
  const meta = new Map<number, CustomerMeta>();

  async function apply(customer: SeedCustomer, patch: Patch): Promise<void> {
    if (patch.email !== undefined && patch.email.toLowerCase() !== customer.email.toLowerCase()) {
      catalog.customerByEmail.delete(customer.email.toLowerCase());
      catalog.customerByEmail.set(patch.email.toLowerCase(), customer);
    }
    for (const [, field] of STRING_FIELDS) if (patch[field] !== undefined) customer[field] = patch[field];
    if (patch.customerGroupId !== undefined) customer.customerGroupId = patch.customerGroupId;
    if (patch.newPassword !== undefined) customer.passwordHash = await hashPassword(patch.newPassword);
    const previous = meta.get(customer.id);
    meta.set(customer.id, {
      dateModified: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      forcePasswordReset: patch.forcePasswordReset ?? previous?.forcePasswordReset ?? false,
    });
  }

  return async ({ method, route, query, req }) => {
    if (route !== 'v3/customers') return null;
    if (method === 'GET') {
      const ids = queryIntList(query, 'id:in');
      const groups = queryIntList(query, 'customer_group_id:in');
      const emails = query.get('email:in')?.split(',').map((e) => e.trim().toLowerCase());
      const all = [...catalog.customers.values()]
        .filter((c) => (!ids || ids.includes(c.id)) && (!groups || groups.includes(c.customerGroupId)) && (!emails || emails.includes(c.email.toLowerCase())))
        .sort((a, b) => a.id - b.id);
      const page = paginate(all, query);
      return { status: 200, body: { data: page.items.map((c) => customerResource(c, meta.get(c.id), channelId)), meta: { pagination: page.pagination } } };
    }
    if (method === 'PUT') {
      const items = await jsonArrayBody(req);
      if (items.length > MAX_CUSTOMERS_PER_UPDATE) throw new RestError(413, `The request payload is too large. The maximum number of items allowed in the array is ${MAX_CUSTOMERS_PER_UPDATE}.`);
      const errors: Record<string, string> = {};
      const parsed = items.map((item, index) => parseItem(item, index, catalog, errors));
      if (Object.keys(errors).length > 0) throw invalid(errors);
      const updated: SeedCustomer[] = [];
      for (const entry of parsed) {
        if (!entry) continue;
        await apply(entry.customer, entry.patch);
        updated.push(entry.customer);
      }
      for (const customer of updated) publish({ scope: 'store/customer/updated', data: { type: 'customer', id: customer.id } });
      return { status: 200, body: { data: updated.map((c) => customerResource(c, meta.get(c.id), channelId)), meta: {} } };
    }
    if (method === 'DELETE') {
      const ids = queryIntList(query, 'id:in');
      if (!ids || ids.length === 0) throw invalid({ 'id:in': 'id:in is required.' });
      for (const id of ids) {
        const customer = catalog.customers.get(id);
        if (!customer) continue;
        catalog.customers.delete(id);
        catalog.customerByEmail.delete(customer.email.toLowerCase());
        meta.delete(id);
        publish({ scope: 'store/customer/deleted', data: { type: 'customer', id } });
      }
      return { status: 204 };
    }
    throw methodNotAllowed();
  };
}
