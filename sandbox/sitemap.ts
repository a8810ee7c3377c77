// GET /xmlsitemap.php: a store's XML sitemap as BigCommerce serves it (developer.bigcommerce.com/docs/storefront/
// headless, "sitemap"): an index of sitemap files, each `xmlsitemap.php?type={products|categories}&page=N`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isVisible, type Catalog } from './catalog';
import { headerValue } from './http-util';

const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const TYPES = ['products', 'categories'] as const;

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'content-type': 'application/xml; charset=utf-8', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

export function handleSitemap(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, catalog: Catalog): void {
  // Links use the host the client asked: BigCommerce writes the store's own domain into them.
  const origin = `http://${headerValue(req, 'host') ?? 'localhost'}`;
  const type = params.get('type');
  if (type === null) {
    const entries = TYPES.map((t) => `<sitemap><loc>${escapeXml(`${origin}/xmlsitemap.php?type=${t}&page=1`)}</loc></sitemap>`);
    return send(res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="${SITEMAP_NS}">${entries.join('')}</sitemapindex>\n`);
  }
  const paths =
    type === 'products' ? catalog.products.filter(isVisible).map((p) => p.path) : type === 'categories' ? catalog.categories.map((c) => c.path) : undefined;
  if (!paths || params.get('page') !== '1') return send(res, 404, `<?xml version="1.0" encoding="UTF-8"?>\n<error>Not found</error>\n`);
  const urls = paths.map((path) => `<url><loc>${escapeXml(origin + path)}</loc></url>`);
  send(res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${SITEMAP_NS}">${urls.join('')}</urlset>\n`);
}
