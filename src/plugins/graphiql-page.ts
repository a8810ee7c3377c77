import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

type Page = { html: string; gzipped: Uint8Array<ArrayBuffer>; etag: string };

/**
 * GraphiQL on GET {endpoint} from a browser. The page carries GraphiQL's whole code inline (no CDN:
 * it works offline), about 9 MB: it is rendered once, sent gzip-compressed (about a fifth of that) to
 * clients that accept it, and revalidated by ETag so a reload costs a 304.
 * That code (tens of MB of memory once loaded) is loaded on the first page request, never when GraphiQL is off.
 */
export function graphiqlPagePlugin(deps: { endpoint: string; options: GraphiQLOptions }): Plugin {
  let page: Promise<Page> | undefined;
  const render = (): Promise<Page> =>
    (page ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => {
      const html = renderGraphiQL(deps.options);
      return { html, gzipped: new Uint8Array(gzipSync(html)), etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 32)}"` };
    }));
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' || !request.headers.get('accept')?.includes('text/html')) return;
      if (url.pathname !== deps.endpoint && url.pathname !== `${deps.endpoint}/`) return;
      const { html, gzipped, etag } = await render();
      const common = { etag, 'cache-control': 'no-cache', vary: 'accept-encoding' };
      if (request.headers.get('if-none-match') === etag) {
        endResponse(new fetchAPI.Response(null, { status: 304, headers: common }));
        return;
      }
      const gzip = /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
      endResponse(
        new fetchAPI.Response(gzip ? gzipped : html, {
          status: 200,
          headers: { ...common, 'content-type': 'text/html; charset=utf-8', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
        }),
      );
    },
  };
}
