// Price list assignments (developer.bigcommerce.com/docs/rest-management/price-lists/price-lists-assignments):
//   GET    /v3/pricelists/assignments                    filtered, paginated list
//   POST   /v3/pricelists/assignments                    batch create (up to 25), all or nothing
//   DELETE /v3/pricelists/assignments?...                delete by filter (at least one)
//   PUT    /v3/pricelists/{price_list_id}/assignments    upsert the assignment of one customer group on one channel
// A customer group has at most one list per channel (and one channel-less list); pricing.ts reads these assignments.
// Changes fire store/priceList/assignment/updated ("assigned, reassigned, or unassigned") or .../deleted, with
// `data: {price_list_id, channel_id, customer_group_id}` (/docs/integrations/webhooks/events, "Price list assignments").
import type { Catalog } from './catalog';
import type { SeedPriceListAssignment } from './seed';
import type { PriceListAssignmentEventData, PublishEvent } from './webhook-events';
import { invalid, isInt, jsonArrayBody, jsonBody, methodNotAllowed, notFound, paginate, pathInt, queryInt, queryIntList, type Json, type RestRoutes } from './rest-util';

export const MAX_ASSIGNMENTS_PER_BATCH = 25;

/** AssignmentForGetResponse; a group-wide (channel-less) or channel-wide (group-less) assignment leaves that id out. */
export function assignmentResource(a: SeedPriceListAssignment): Json {
  return {
    id: a.id,
    price_list_id: a.priceListId,
    ...(a.customerGroupId !== null ? { customer_group_id: a.customerGroupId } : {}),
    ...(a.channelId !== null ? { channel_id: a.channelId } : {}),
  };
}

function eventData(a: SeedPriceListAssignment): PriceListAssignmentEventData {
  return {
    price_list_id: a.priceListId,
    ...(a.channelId !== null ? { channel_id: a.channelId } : {}),
    ...(a.customerGroupId !== null ? { customer_group_id: a.customerGroupId } : {}),
  };
}

/** The query filters GET and DELETE share: exact ids and `:in` lists (developer.bigcommerce.com/docs/start/about/filtering). */
function filterOf(query: URLSearchParams): { matches: (a: SeedPriceListAssignment) => boolean; filtered: boolean } {
  const exact = { id: queryInt(query, 'id'), priceListId: queryInt(query, 'price_list_id'), customerGroupId: queryInt(query, 'customer_group_id'), channelId: queryInt(query, 'channel_id') };
  const lists = {
    id: queryIntList(query, 'id:in'),
    priceListId: queryIntList(query, 'price_list_id:in'),
    customerGroupId: queryIntList(query, 'customer_group_id:in'),
    channelId: queryIntList(query, 'channel_id:in'),
  };
  const keys = ['id', 'priceListId', 'customerGroupId', 'channelId'] as const;
  const matches = (a: SeedPriceListAssignment): boolean =>
    keys.every((k) => {
      const v = a[k];
      return (exact[k] === undefined || v === exact[k]) && (lists[k] === undefined || (v !== null && (lists[k] as number[]).includes(v)));
    });
  return { matches, filtered: keys.some((k) => exact[k] !== undefined || lists[k] !== undefined) };
}

export function createPriceListAssignmentRoutes(catalog: Catalog, channelId: number, publish: PublishEvent): RestRoutes {
  const nextId = (): number => catalog.assignments.reduce((max, a) => Math.max(max, a.id), 0) + 1;
  const holder = (groupId: number | null, channel: number | null): SeedPriceListAssignment | undefined =>
    catalog.assignments.find((a) => a.customerGroupId === groupId && a.channelId === channel);

  /** Validation of one assignment to create; errors are keyed by field, prefixed for batch items. */
  function checkNew(item: Json, prefix: string, errors: Record<string, string>): SeedPriceListAssignment | null {
    const before = Object.keys(errors).length;
    const listId = item.price_list_id;
    const groupId = item.customer_group_id ?? null;
    const channel = item.channel_id ?? null;
    if (!isInt(listId) || !catalog.priceLists.has(listId)) errors[`${prefix}price_list_id`] = 'An existing price_list_id is required.';
    if (groupId !== null && (!isInt(groupId) || !catalog.groups.has(groupId))) errors[`${prefix}customer_group_id`] = 'Customer group not found.';
    if (channel !== null && channel !== channelId) errors[`${prefix}channel_id`] = `Channel not found; this store has channel ${channelId}.`;
    if (groupId === null && channel === null) errors[`${prefix}customer_group_id`] = 'Send customer_group_id, channel_id or both.';
    if (Object.keys(errors).length > before) return null;
    if (holder(groupId as number | null, channel as number | null)) {
      errors[`${prefix}customer_group_id`] = 'This customer group already has a price list on this channel.';
      return null;
    }
    return { id: 0, priceListId: listId as number, customerGroupId: groupId as number | null, channelId: channel as number | null };
  }

  return async ({ method, route, query, req }) => {
    if (route === 'v3/pricelists/assignments') {
      if (method === 'GET') {
        const { matches } = filterOf(query);
        const page = paginate(catalog.assignments.filter(matches), query);
        return { status: 200, body: { data: page.items.map(assignmentResource), meta: { pagination: page.pagination } } };
      }
      if (method === 'POST') {
        const items = await jsonArrayBody(req);
        if (items.length === 0 || items.length > MAX_ASSIGNMENTS_PER_BATCH) throw invalid({ body: `Send 1 to ${MAX_ASSIGNMENTS_PER_BATCH} assignments.` });
        const errors: Record<string, string> = {};
        const created: SeedPriceListAssignment[] = [];
        items.forEach((raw, i) => {
          const item = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Json) : {};
          const a = checkNew(item, `${i}.`, errors);
          // Two items of one batch for the same group and channel conflict like an existing assignment.
          if (a && created.some((c) => c.customerGroupId === a.customerGroupId && c.channelId === a.channelId)) errors[`${i}.customer_group_id`] = 'Duplicate assignment in this batch.';
          else if (a) created.push(a);
        });
        if (Object.keys(errors).length > 0) return { status: 422, body: { status: 422, title: 'JSON data is missing or invalid', type: '/api-docs/getting-started/api-status-codes', errors, meta: { saved_records: 0 } } };
        for (const a of created) {
          a.id = nextId();
          catalog.assignments.push(a);
          publish({ scope: 'store/priceList/assignment/updated', data: eventData(a) });
        }
        // The reference answers "200: No content".
        return { status: 200 };
      }
      if (method === 'DELETE') {
        const { matches, filtered } = filterOf(query);
        if (!filtered) throw invalid({ id: 'Send at least one filter: id, price_list_id, customer_group_id, channel_id or channel_id:in.' });
        const gone = catalog.assignments.filter(matches);
        for (const a of gone) {
          catalog.assignments.splice(catalog.assignments.indexOf(a), 1);
          publish({ scope: 'store/priceList/assignment/deleted', data: eventData(a) });
        }
        return { status: 204 };
      }
      throw methodNotAllowed();
    }
    const m = /^v3\/pricelists\/([^/]+)\/assignments$/.exec(route);
    if (!m) return null;
    if (method !== 'PUT') throw methodNotAllowed();
    const listId = pathInt(m[1]);
    if (listId === null || !catalog.priceLists.has(listId)) throw notFound(`Price list ${m[1]} not found.`);
    const body = await jsonBody(req);
    const errors: Record<string, string> = {};
    if (!isInt(body.customer_group_id)) errors.customer_group_id = 'error.path.missing';
    if (!isInt(body.channel_id)) errors.channel_id = 'error.path.missing';
    if (Object.keys(errors).length > 0) throw invalid(errors);
    const groupId = body.customer_group_id as number;
    // "404: A matching customer group or channel wasn't found, so no assignment is created or returned."
    if (!catalog.groups.has(groupId) || body.channel_id !== channelId) throw notFound('A matching customer group or channel was not found.');
    let assignment = holder(groupId, channelId);
    const changed = assignment?.priceListId !== listId;
    if (assignment) assignment.priceListId = listId;
    else {
      assignment = { id: nextId(), priceListId: listId, customerGroupId: groupId, channelId };
      catalog.assignments.push(assignment);
    }
    if (changed) publish({ scope: 'store/priceList/assignment/updated', data: eventData(assignment) });
    return { status: 200, body: { data: assignmentResource(assignment), meta: {} } };
  };
}
