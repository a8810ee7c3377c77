// The Webhooks API, /v3/hooks and /v3/hooks/{webhook_id} (developer.bigcommerce.com/docs/integrations/webhooks and
// the API reference "Manage Webhooks (Single)" / "(Bulk)" of /docs/rest-management/webhooks).
//
// One difference, on purpose: BigCommerce takes only https destinations on port 443; the sandbox also takes http and
// any port, so a test can receive callbacks on 127.0.0.1 with an ephemeral port.
import { SCOPE_PATTERN } from './webhook-events';
import type { WebhookFields, WebhookRecord, WebhookRegistry } from './webhook-registry';
import { invalid, jsonBody, methodNotAllowed, notFound, paginate, pathInt, RestError, type Json, type RestRoutes } from './rest-util';

/** BigCommerce: at most 10 hooks per store, client and scope, and one per store, client, scope and destination ("Platform limits"). */
export const MAX_HOOKS_PER_SCOPE = 10;

// Headers the sandbox sets itself (or that the HTTP client owns): a custom header may not replace them.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'connection', 'transfer-encoding', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The webhook_Full resource. `events_history_enabled` is echoed as sent (default false). */
export function hookResource(h: WebhookRecord): Json {
  return {
    id: h.id,
    client_id: h.clientId,
    store_hash: h.storeHash,
    scope: h.scope,
    destination: h.destination,
    headers: h.headers,
    is_active: h.isActive,
    events_history_enabled: h.eventsHistoryEnabled,
    created_at: h.createdAt,
    updated_at: h.updatedAt,
  };
}

function parseHeaders(value: unknown, errors: Record<string, string>): Record<string, string> | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.headers = 'headers must be an object of string values.';
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value as Json)) {
    if (!HEADER_NAME.test(name)) errors[`headers.${name}`] = 'Not a valid HTTP header name.';
    else if (RESERVED_HEADERS.has(name.toLowerCase())) errors[`headers.${name}`] = 'This header is set by the webhook service.';
    else if (typeof v !== 'string' || /[\r\n\0]/.test(v)) errors[`headers.${name}`] = 'Header values must be strings without line breaks.';
    else out[name] = v;
  }
  return out;
}

function parseDestination(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : null;
  } catch {
    return null;
  }
}

/** Validates a create (all required fields) or an update (at least one field) body into registry fields. */
function parseFields(body: Json, mode: 'create' | 'update'): Partial<WebhookFields> {
  const errors: Record<string, string> = {};
  const fields: Partial<WebhookFields> = {};
  if (body.scope !== undefined || mode === 'create') {
    if (body.scope === undefined) errors.scope = 'error.path.missing';
    else if (typeof body.scope !== 'string' || !SCOPE_PATTERN.test(body.scope)) errors.scope = 'scope must be a webhook scope such as store/product/updated.';
    else fields.scope = body.scope;
  }
  if (body.destination !== undefined || mode === 'create') {
    const destination = parseDestination(body.destination);
    if (body.destination === undefined) errors.destination = 'error.path.missing';
    else if (destination === null) errors.destination = 'destination must be an absolute http(s) URL.';
    else fields.destination = destination;
  }
  if (body.is_active !== undefined) {
    if (typeof body.is_active !== 'boolean') errors.is_active = 'is_active must be a boolean.';
    else fields.isActive = body.is_active;
  }
  if (body.events_history_enabled !== undefined) {
    if (typeof body.events_history_enabled !== 'boolean') errors.events_history_enabled = 'events_history_enabled must be a boolean.';
    else fields.eventsHistoryEnabled = body.events_history_enabled;
  }
  const headers = parseHeaders(body.headers, errors);
  if (headers !== undefined) fields.headers = headers;
  if (Object.keys(errors).length > 0) throw invalid(errors);
  if (mode === 'update' && Object.keys(fields).length === 0) throw invalid({ body: 'At least one field is required to update a webhook.' });
  return fields;
}

function checkLimits(registry: WebhookRegistry, scope: string, destination: string, exceptId?: number): void {
  const sameScope = registry.all().filter((h) => h.scope === scope && h.id !== exceptId);
  if (sameScope.some((h) => h.destination === destination)) throw invalid({ destination: 'A webhook with this scope and destination already exists.' });
  if (sameScope.length >= MAX_HOOKS_PER_SCOPE) throw invalid({ scope: `At most ${MAX_HOOKS_PER_SCOPE} webhooks per scope.` });
}

const hookNotFound = (id: string): RestError => notFound(`Webhook with id [${id}] not found`);

export function createWebhooksRoutes(registry: WebhookRegistry): RestRoutes {
  return async ({ method, route, query, req }) => {
    if (route === 'v3/hooks') {
      if (method === 'GET') {
        let hooks = registry.all();
        const active = query.get('is_active');
        if (active !== null) {
          if (active !== 'true' && active !== 'false') throw invalid({ is_active: 'is_active must be true or false.' });
          hooks = hooks.filter((h) => h.isActive === (active === 'true'));
        }
        const scope = query.get('scope');
        if (scope !== null) hooks = hooks.filter((h) => h.scope === scope);
        const destination = query.get('destination');
        if (destination !== null) hooks = hooks.filter((h) => h.destination === destination);
        const page = paginate(hooks, query);
        return { status: 200, body: { data: page.items.map(hookResource), meta: { pagination: page.pagination } } };
      }
      if (method === 'POST') {
        const fields = parseFields(await jsonBody(req), 'create');
        const scope = fields.scope as string;
        const destination = fields.destination as string;
        checkLimits(registry, scope, destination);
        const hook = registry.create({ scope, destination, headers: fields.headers ?? null, isActive: fields.isActive ?? true, eventsHistoryEnabled: fields.eventsHistoryEnabled ?? false });
        return { status: 200, body: { data: hookResource(hook), meta: {} } };
      }
      throw methodNotAllowed();
    }
    const one = /^v3\/hooks\/([^/]+)$/.exec(route);
    if (!one || one[1] === 'admin') return null;
    const id = pathInt(one[1]);
    const hook = id === null ? undefined : registry.get(id);
    if (method === 'GET') {
      if (!hook) throw hookNotFound(one[1]);
      return { status: 200, body: { data: hookResource(hook), meta: {} } };
    }
    if (method === 'PUT') {
      if (!hook) throw hookNotFound(one[1]);
      const fields = parseFields(await jsonBody(req), 'update');
      if (fields.scope !== undefined || fields.destination !== undefined) checkLimits(registry, fields.scope ?? hook.scope, fields.destination ?? hook.destination, hook.id);
      return { status: 200, body: { data: hookResource(registry.update(hook.id, fields) as WebhookRecord), meta: {} } };
    }
    if (method === 'DELETE') {
      if (!hook) throw hookNotFound(one[1]);
      registry.delete(hook.id);
      // "When a webhook is deleted, it is returned in the response as a 200 OK."
      return { status: 200, body: { data: hookResource(hook), meta: {} } };
    }
    throw methodNotAllowed();
  };
}
