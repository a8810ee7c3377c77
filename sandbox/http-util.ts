// Small node:http helpers: bounded body reading, JSON/text responses, BigCommerce-shaped REST errors, cookies.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies above this size get 413 (BigCommerce answers oversized payloads with 413). */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    // Drain without buffering so the client can read our 413.
    req.resume();
    throw new BodyTooLargeError();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      req.resume();
      throw new BodyTooLargeError();
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A response without a body (204, and the body-less 200s of some BigCommerce batch endpoints). */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}

export function sendText(res: ServerResponse, status: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(302, { Location: location, 'Content-Length': 0, ...headers });
  res.end();
}

/** The `type` BigCommerce puts in REST error bodies (developer.bigcommerce.com/docs/start/about/status-codes). */
export const ERROR_TYPE = '/api-docs/getting-started/api-status-codes';

/** REST error body `{status, title, type, errors}` as in BigCommerce's ErrorResponse. */
export function restError(status: number, title: string, errors: Record<string, string> = {}): { status: number; title: string; type: string; errors: Record<string, string> } {
  return { status, title, type: ERROR_TYPE, errors };
}

export function isJsonContentType(req: IncomingMessage): boolean {
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  return ct.startsWith('application/json') || ct.startsWith('application/graphql-response+json');
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    try {
      out.set(name, decodeURIComponent(raw));
    } catch {
      out.set(name, raw);
    }
  }
  return out;
}

/** Client IP of the TCP connection, with IPv4-mapped IPv6 (::ffff:1.2.3.4) normalised to IPv4. */
export function clientIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** decodeURIComponent that never throws (a malformed escape is kept as sent, and fails later checks). */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
