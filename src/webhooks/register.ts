import { fetchChannelIds } from '../remote/pricing';
import type { RestClient } from '../remote/rest-client';

/**
 * Registration of the gateway's hooks through the Webhooks API (developer.bigcommerce.com/docs/integrations/webhooks,
 * "Creating a webhook"; API reference /docs/rest-management/webhooks: `GET /v3/hooks`, `POST /v3/hooks`,
 * `PUT /v3/hooks/{id}`). Idempotent: run it at every start, or as often as an operator likes.
 */

/**
 * The events the cache depends on (see event-scopes.ts for what each invalidates). Wildcards where BigCommerce
 * documents them ("store/product/* Fires for all store/product events", likewise sku and category); one hook per
 * scope elsewhere, since no price-list wildcard is documented. The channel events are those of every channel given:
 * the store's channels (`pricing` caches any of them), the gateway's own first.
 */
export function gatewayWebhookScopes(channelIds: number | readonly number[]): string[] {
  const channels = [...new Set(typeof channelIds === 'number' ? [channelIds] : channelIds)];
  return [...storeScopes(), ...channels.flatMap(channelScopes)];
}

/** The channels to register channel events for: the gateway's own first, then the store's (only it if unlisted). */
export async function channelsToWatch(rest: RestClient, own: number): Promise<number[]> {
  try {
    return [...new Set([own, ...(await fetchChannelIds(rest))])];
  } catch {
    return [own];
  }
}

function storeScopes(): string[] {
  return [
    'store/product/*',
    'store/sku/*',
    'store/category/*',
    'store/priceList/created',
    'store/priceList/updated',
    'store/priceList/activated',
    'store/priceList/deactivated',
    'store/priceList/deleted',
    'store/priceLists/deleted',
    'store/priceList/record/created',
    'store/priceList/record/updated',
    'store/priceList/record/deleted',
    'store/priceList/records/created',
    'store/priceList/records/updated',
    'store/priceList/records/deleted',
    'store/priceList/assignment/updated',
    'store/priceList/assignment/deleted',
    // A customer moved to another group keeps a session naming the old one: looked up, then ended (customer-changes.ts).
    'store/customer/updated',
    'store/customer/deleted',
  ];
}

function channelScopes(channelId: number): string[] {
  const channel = `store/channel/${channelId}`;
  return [
    `${channel}/product/assigned`,
    `${channel}/product/unassigned`,
    `${channel}/category/created`,
    `${channel}/category/updated`,
    `${channel}/category/deleted`,
    `${channel}/category/product/assigned`,
    `${channel}/category/product/unassigned`,
    `${channel}/categoryTree/updated`,
    `${channel}/settings/currency/updated`,
    `${channel}/settings/defaultCustomerGroup/updated`,
  ];
}

export interface RegisterWebhooksOptions {
  /** The gateway's public `…/webhooks/bigcommerce` URL (BigCommerce: https on port 443). */
  destination: string;
  scopes: string[];
  /** Custom headers each hook sends (the BC_WEBHOOK_SECRET header); kept in sync on existing hooks. */
  headers?: Record<string, string>;
}

export type RegistrationAction = 'created' | 'reactivated' | 'updated' | 'unchanged' | 'failed';

export interface WebhookRegistration {
  scope: string;
  action: RegistrationAction;
  hookId?: number;
  /** For `failed`: BigCommerce's status and validation messages (never header values). */
  error?: string;
}

interface Hook {
  id: number;
  scope: string;
  destination: string;
  is_active: boolean;
  headers?: Record<string, string> | null;
}

interface HooksPage {
  data?: Hook[];
  meta?: { pagination?: { current_page?: number; total_pages?: number } };
}

interface ErrorBody {
  title?: string;
  errors?: Record<string, string>;
}

const PAGE_SIZE = 250;
const MAX_PAGES = 40;

/** Header maps compared by lower-case name and exact value. */
function sameHeaders(a: Record<string, string> | null | undefined, b: Record<string, string> | undefined): boolean {
  const norm = (h: Record<string, string> | null | undefined) =>
    JSON.stringify(
      Object.entries(h ?? {})
        .map(([k, v]) => [k.toLowerCase(), v])
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
    );
  return norm(a) === norm(b);
}

function describeFailure(status: number, body: unknown): string {
  const { title, errors } = (typeof body === 'object' && body !== null ? body : {}) as ErrorBody;
  const details = errors ? Object.entries(errors).map(([field, message]) => `${field}: ${message}`) : [];
  return [`HTTP ${status}`, title, ...details].filter(Boolean).join('; ');
}

/** Every hook of this API account with `destination` (the list is filtered again here in case the filter is ignored). */
async function listHooks(rest: RestClient, destination: string): Promise<Hook[]> {
  const hooks: Hook[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const reply = await rest.request<HooksPage>({
      method: 'GET',
      path: `/v3/hooks?destination=${encodeURIComponent(destination)}&limit=${PAGE_SIZE}&page=${page}`,
      idempotent: true,
      priority: 'essential',
    });
    hooks.push(...(reply.body?.data ?? []).filter((hook) => hook.destination === destination));
    const pagination = reply.body?.meta?.pagination;
    if (!pagination || (pagination.current_page ?? page) >= (pagination.total_pages ?? page)) break;
  }
  return hooks;
}

/**
 * Lists the hooks already pointing at `destination`, creates the missing scopes (`is_active: true`, with `headers`),
 * reactivates inactive ones (BigCommerce deactivates a hook whose deliveries failed for 48 hours) and brings their
 * headers up to date. Hooks of other scopes or destinations are left alone. A scope BigCommerce refuses (422) is
 * reported as `failed` and the others still proceed; a failure to list the hooks (auth, outage) throws.
 */
export async function registerWebhooks(rest: RestClient, options: RegisterWebhooksOptions): Promise<WebhookRegistration[]> {
  const existing = await listHooks(rest, options.destination);
  const results: WebhookRegistration[] = [];
  for (const scope of [...new Set(options.scopes)]) {
    const hook = existing.find((h) => h.scope === scope);
    const headersMatch = hook ? options.headers === undefined || sameHeaders(hook.headers, options.headers) : false;
    if (hook && hook.is_active && headersMatch) {
      results.push({ scope, action: 'unchanged', hookId: hook.id });
      continue;
    }
    const body = hook
      ? { is_active: true, ...(options.headers !== undefined && !headersMatch ? { headers: options.headers } : {}) }
      : { scope, destination: options.destination, is_active: true, ...(options.headers !== undefined ? { headers: options.headers } : {}) };
    const reply = await rest.request<{ data?: Hook }>({
      method: hook ? 'PUT' : 'POST',
      path: hook ? `/v3/hooks/${hook.id}` : '/v3/hooks',
      body,
      accept: [400, 404, 409, 422],
      priority: 'essential',
    });
    if (reply.status < 200 || reply.status >= 300) {
      results.push({ scope, action: 'failed', hookId: hook?.id, error: describeFailure(reply.status, reply.body) });
      continue;
    }
    const action: RegistrationAction = !hook ? 'created' : !hook.is_active ? 'reactivated' : 'updated';
    results.push({ scope, action, hookId: reply.body?.data?.id ?? hook?.id });
  }
  return results;
}

/** One line per scope, for logs and the registration script; headers are never shown. */
export function describeRegistrations(results: WebhookRegistration[]): string[] {
  return results.map((r) => `${r.action.padEnd(11)} ${r.scope}${r.hookId !== undefined ? ` (hook ${r.hookId})` : ''}${r.error ? `: ${r.error}` : ''}`);
}
