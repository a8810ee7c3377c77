import type { Plugin } from 'graphql-yoga';

/**
 * For the GraphiQL page (its code is inlined: inline scripts and styles, workers from blobs). Everything
 * else comes from this origin; no page may frame it (clickjacking).
 */
const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function appendVary(headers: Headers, names: string[]): void {
  const present = new Set((headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean));
  const missing = names.filter((name) => !present.has(name.toLowerCase()));
  if (missing.length) headers.set('vary', [...(headers.get('vary') ? [headers.get('vary')] : []), ...missing].join(', '));
}

/**
 * Security headers on every answer. GraphQL answers depend on who asks (cookie, bearer token, origin,
 * language) and may carry a shopper's data: no shared cache may keep them, and a cache that keys on URL alone
 * is told what else they vary by. HTML gets a content security policy and may not be framed.
 */
export function responseHeadersPlugin(deps: { graphqlEndpoint: string }): Plugin {
  return {
    onResponse({ request, response }) {
      const { headers } = response;
      headers.set('x-content-type-options', 'nosniff');
      const contentType = headers.get('content-type') ?? '';
      if (contentType.startsWith('text/html')) {
        headers.set('content-security-policy', GRAPHIQL_CSP);
        headers.set('x-frame-options', 'DENY');
        headers.set('referrer-policy', 'no-referrer');
        return;
      }
      if (new URL(request.url).pathname !== deps.graphqlEndpoint) return;
      if (!headers.has('cache-control')) headers.set('cache-control', 'private, no-store');
      appendVary(headers, ['Origin', 'Cookie', 'Authorization', 'Accept-Language']);
    },
  };
}

/**
 * CORS for the configured origins only. A foreign origin — or `Origin: null` (sandboxed frames, file: pages),
 * which is never on the list — gets no CORS headers at all: yoga's own handling answers an unlisted origin
 * with `Access-Control-Allow-Origin: null` plus credentials, which some browsers honour for null origins.
 */
export function corsFor(allowed: string[]) {
  if (allowed.length === 0) return false as const;
  const origins = new Set(allowed);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return origin !== null && origins.has(origin) ? { origin, credentials: true } : false;
  };
}
