import type { RestClient } from '../remote/rest-client';
import type { PriceListGroupResolver } from './event-scopes';

interface AssignmentsPage {
  data?: Array<{ price_list_id?: number; customer_group_id?: number | null; channel_id?: number | null }>;
  meta?: { pagination?: { current_page?: number; total_pages?: number } };
}

/** Assignments per page (the Price Lists API's maximum `limit`), and pages read at most before giving up on narrowing. */
const PAGE_SIZE = 250;
const MAX_PAGES = 20;

/**
 * The customer groups a price list is assigned to, from `GET /v3/pricelists/assignments?price_list_id=X`
 * (developer.bigcommerce.com/docs/rest-management/price-lists/price-lists-assignments, "Get Price List Assignments").
 * `undefined` — the caller then invalidates everything — when the lookup fails or when an assignment has no group
 * (a channel-wide assignment prices every shopper of the channel without a list of their own, guests included).
 * `essential` priority: a cache left stale shows wrong prices, which outweighs the catalog traffic it competes with.
 */
export function createPriceListGroupResolver(rest: RestClient, onError?: (error: unknown) => void): PriceListGroupResolver {
  return async (priceListId) => {
    const groups = new Set<number>();
    try {
      for (let page = 1; page <= MAX_PAGES; page++) {
        const reply = await rest.request<AssignmentsPage>({
          method: 'GET',
          path: `/v3/pricelists/assignments?price_list_id=${encodeURIComponent(priceListId)}&limit=${PAGE_SIZE}&page=${page}`,
          idempotent: true,
          priority: 'essential',
        });
        const assignments = reply.body?.data;
        if (!Array.isArray(assignments)) return undefined;
        for (const assignment of assignments) {
          const group = assignment.customer_group_id;
          if (typeof group !== 'number') return undefined;
          groups.add(group);
        }
        const pagination = reply.body?.meta?.pagination;
        if (!pagination || (pagination.current_page ?? page) >= (pagination.total_pages ?? page)) return [...groups];
      }
      return undefined;
    } catch (error) {
      onError?.(error);
      return undefined;
    }
  };
}
