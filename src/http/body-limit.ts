import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

function reject(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
  // The body is never read: close the connection so the client stops sending.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/**
 * Refuses oversized request bodies before anything reads them. The limit is checked on
 * `Content-Length`; bodies without one (chunked uploads) are refused, since GraphQL clients send it.
 */
export function withBodyLimit(maxBytes: number, next: RequestListener): RequestListener<typeof IncomingMessage, typeof ServerResponse> {
  return (req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next(req, res);
    const header = req.headers['content-length'];
    if (header === undefined) {
      if (req.headers['transfer-encoding'] !== undefined) return reject(res, 411, 'Content-Length is required');
      return next(req, res);
    }
    const length = Number(header);
    if (!Number.isSafeInteger(length) || length < 0) return reject(res, 400, 'Invalid Content-Length');
    if (length > maxBytes) return reject(res, 413, `Request body too large: at most ${maxBytes} bytes`);
    return next(req, res);
  };
}
