import type { StoreConfig } from '../config';
import type { HttpClient } from './http';
import { storefrontTargetFor } from './storefront-target';

export interface SitemapReply {
  status: number;
  contentType: string;
  body: string;
}

/** The sitemap index and the files it links: `xmlsitemap.php` with BigCommerce's `type`/`page` parameters only. */
const SITEMAP_QUERY = /^(?:(?:type|page|channel_id)=[A-Za-z0-9_-]{1,32}(?:&|$)){0,3}$/;

/**
 * `GET /xmlsitemap.php` of a channel, from the host that serves its Storefront API (BigCommerce serves both on
 * the permanent `store-{hash}-{channel}` host). Undefined when the query is not the sitemap's or the channel is not
 * reachable: the caller answers 404.
 */
export function createSitemapClient(deps: { store: StoreConfig; http: HttpClient; timeoutMs: number }) {
  return async (channelId: number, search: string): Promise<SitemapReply | undefined> => {
    const query = search.replace(/^\?/, '');
    const target = storefrontTargetFor(deps.store, channelId);
    if (!target || !SITEMAP_QUERY.test(query)) return undefined;
    const url = new URL(target.url);
    url.pathname = '/xmlsitemap.php';
    url.search = query;
    const headers: Record<string, string> = { accept: 'application/xml', 'user-agent': 'storefront-gateway' };
    if (target.host) headers.host = target.host;
    const reply = await deps.http({ method: 'GET', url: url.toString(), headers, signal: AbortSignal.timeout(deps.timeoutMs) });
    return { status: reply.status, contentType: reply.header('content-type') ?? 'application/xml', body: reply.text };
  };
}

export type SitemapClient = ReturnType<typeof createSitemapClient>;
