// Channels and currencies, read-only (developer.bigcommerce.com/docs/rest-management/channels, "Get all channels";
// /docs/rest-management/currencies, "Get all currencies"):
//   GET /v3/channels     `{ data: [channel], meta: { pagination } }`, filters status:in, type:in, platform:in
//   GET /v2/currencies   a bare array (v2), one entry per store currency
// The sandbox has two storefront channels: the store's own (`channelId`, the one its storefront tokens are for) and
// a second one, `channelId + 1`, which REST pricing also answers for (its assignments: channel-less ones only).
import type { Catalog } from './catalog';
import { methodNotAllowed, paginate, type Json, type RestRoutes } from './rest-util';

const CREATED = '2024-01-15T10:00:00Z';

export interface SandboxChannel {
  id: number;
  name: string;
  platform: string;
  status: string;
}

export function sandboxChannels(channelId: number): SandboxChannel[] {
  return [
    { id: channelId, name: 'Sandbox Store', platform: 'bigcommerce', status: 'active' },
    { id: channelId + 1, name: 'Sandbox Trade Portal', platform: 'custom', status: 'active' },
  ];
}

function channelResource(channel: SandboxChannel): Json {
  return {
    id: channel.id,
    name: channel.name,
    type: 'storefront',
    platform: channel.platform,
    external_id: '',
    is_listable_from_ui: true,
    is_visible: true,
    status: channel.status,
    is_enabled: channel.status === 'active',
    date_created: CREATED,
    date_modified: CREATED,
    icon_url: '',
    config_meta: { app: { id: 0, sections: [] } },
  };
}

function currencyResource(catalog: Catalog, code: string, index: number): Json {
  const currency = catalog.currencies.get(code);
  return {
    id: index + 1,
    is_default: currency?.default === true,
    last_updated: 'Mon, 15 Jan 2024 10:00:00 +0000',
    country_iso2: '',
    default_for_country_codes: [],
    currency_code: code,
    currency_exchange_rate: (currency?.rate ?? 1).toFixed(10),
    name: code,
    token: currency?.symbol ?? '',
    auto_update: false,
    decimal_token: '.',
    thousands_token: ',',
    decimal_places: 2,
    token_location: 'left',
    enabled: true,
    is_transactional: true,
  };
}

export function createChannelRoutes(catalog: Catalog, channelId: number): RestRoutes {
  const channels = sandboxChannels(channelId);
  return async ({ method, route, query }) => {
    if (route === 'v3/channels') {
      if (method !== 'GET') throw methodNotAllowed();
      const filter = (name: string) => query.get(name)?.split(',').map((v) => v.trim());
      const [statuses, types, platforms] = [filter('status:in'), filter('type:in'), filter('platform:in')];
      const matching = channels.filter((c) => (!statuses || statuses.includes(c.status)) && (!types || types.includes('storefront')) && (!platforms || platforms.includes(c.platform)));
      const page = paginate(matching, query, 50, 250);
      return { status: 200, body: { data: page.items.map(channelResource), meta: { pagination: page.pagination } } };
    }
    if (route === 'v2/currencies') {
      if (method !== 'GET') throw methodNotAllowed();
      return { status: 200, body: [...catalog.currencies.keys()].map((code, index) => currencyResource(catalog, code, index)) };
    }
    return null;
  };
}
