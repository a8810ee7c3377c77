import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../errors';

/** Content types a browser may send cross-site without a CORS preflight ("simple" requests). */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export const CSRF_HEADERS = ['x-graphql-csrf', 'apollo-require-preflight', 'graphql-preflight'];

/**
 * Cookie-authenticated requests must not be "simple": a foreign page can send those without a preflight,
 * with the shopper's cookie. The rule of @graphql-yoga/plugin-csrf-prevention, answered with the gateway's
 * own error code (FORBIDDEN) so clients see one closed set of codes.
 */
export function csrfPreventionPlugin(): Plugin {
  return {
    onRequestParse({ request }) {
      const contentType = request.headers.get('content-type')?.split(';')[0].trim().toLowerCase();
      const preflighted = contentType !== undefined && contentType !== '' && !SIMPLE_CONTENT_TYPES.includes(contentType);
      if (preflighted || CSRF_HEADERS.some((header) => request.headers.has(header))) return;
      throw gatewayError('FORBIDDEN', `Request refused (CSRF): send Content-Type: application/json, or a ${CSRF_HEADERS[0]} header`, {
        http: { status: 403 },
      });
    },
  };
}
