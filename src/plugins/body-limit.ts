import type { Plugin } from 'graphql-yoga';

/**
 * Refuses oversized request bodies before anything reads them, on every way the gateway is served (HTTP
 * listener and `yoga.fetch` alike). Checked on `Content-Length`; a body without one (chunked) is refused,
 * since GraphQL clients send it. Cheaper than yoga's own streaming limit, which adds a transform stream to
 * every request.
 */
export function bodyLimitPlugin(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
      const refuse = (status: number, message: string) => {
        const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
        // The body is never read: closing the connection stops the client sending it.
        endResponse(new fetchAPI.Response(body, { status, headers: { 'content-type': 'application/json; charset=utf-8', connection: 'close' } }));
      };
      const header = request.headers.get('content-length');
      if (header === null) {
        if (request.headers.has('transfer-encoding')) refuse(411, 'Content-Length is required');
        return;
      }
      const length = Number(header);
      if (!/^\d+$/.test(header) || !Number.isSafeInteger(length)) return refuse(400, 'Invalid Content-Length');
      if (length > maxBytes) refuse(413, `Request body too large: at most ${maxBytes} bytes`);
    },
  };
}
