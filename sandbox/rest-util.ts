// Pieces every REST route module shares: BigCommerce-shaped errors, JSON body parsing, query filters, pagination.
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, isJsonContentType, readBody } from './http-util';

export type Json = Record<string, unknown>;

/** A REST failure; rest.ts turns it into `{status, title, type, errors}` (developer.bigcommerce.com/docs/start/about/status-codes). */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly errors: Record<string, string> = {},
  ) {
    super(title);
  }
}

export const invalid = (errors: Record<string, string>): RestError => new RestError(422, 'JSON data is missing or invalid', errors);
export const notFound = (title = 'The requested resource was not found.'): RestError => new RestError(404, title);
export const methodNotAllowed = (): RestError => new RestError(405, 'Method Not Allowed');

/** What a route answers: a JSON body, or no body at all when `body` is undefined (204, and BigCommerce's body-less 200s). */
export interface RestReply {
  status: number;
  body?: unknown;
}

/** One authenticated REST request, after the version prefix: `route` is e.g. `v3/hooks/12`. */
export interface RestRequest {
  method: string;
  route: string;
  query: URLSearchParams;
  req: IncomingMessage;
}

/** A route module: answers the routes it owns, null for any other (so rest.ts tries the next). */
export type RestRoutes = (request: RestRequest) => Promise<RestReply | null>;

export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
export const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!isJsonContentType(req)) throw new RestError(415, 'The request content type must be application/json.');
  let raw: string;
  try {
    raw = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new RestError(413, 'The request payload is too large.');
    throw err;
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new RestError(400, 'The request body is not valid JSON.');
  }
}

/** A JSON object body (415 for another content type, 413 when oversized, 400 when malformed, 422 when not an object). */
export async function jsonBody(req: IncomingMessage): Promise<Json> {
  const parsed = await readJson(req);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid({ body: 'must be a JSON object' });
  return parsed as Json;
}

/** A JSON array body (BigCommerce's batch endpoints take a bare array). */
export async function jsonArrayBody(req: IncomingMessage): Promise<unknown[]> {
  const parsed = await readJson(req);
  if (!Array.isArray(parsed)) throw invalid({ body: 'must be a JSON array' });
  return parsed;
}

/** An integer path segment (ids), or null when the segment is not a positive integer. */
export function pathInt(segment: string): number | null {
  return /^[1-9]\d{0,9}$/.test(segment) ? Number(segment) : null;
}

/** An integer query filter: undefined when absent, 422 when present but not an integer. */
export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalid({ [name]: `${name} must be an integer.` });
  return Number(raw);
}

/** A comma-separated `name:in` filter of integers (developer.bigcommerce.com/docs/start/about/filtering). */
export function queryIntList(query: URLSearchParams, name: string): number[] | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const parts = raw.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^-?\d+$/.test(p))) throw invalid({ [name]: `${name} must be a comma-separated list of integers.` });
  return parts.map(Number);
}

export interface Page<T> {
  items: T[];
  pagination: { total: number; count: number; per_page: number; current_page: number; total_pages: number; links: Record<string, string> };
}

/** Offset pagination with BigCommerce's `meta.pagination` (developer.bigcommerce.com/docs/start/about/pagination). */
export function paginate<T>(all: T[], query: URLSearchParams, defaultLimit = 50, maxLimit = 250): Page<T> {
  const page = queryInt(query, 'page') ?? 1;
  const limit = queryInt(query, 'limit') ?? defaultLimit;
  if (page < 1) throw invalid({ page: 'page must be >= 1.' });
  if (limit < 1 || limit > maxLimit) throw invalid({ limit: `limit must be between 1 and ${maxLimit}.` });
  const items = all.slice((page - 1) * limit, page * limit);
  const totalPages = Math.max(1, Math.ceil(all.length / limit));
  const link = (p: number): string => `?page=${p}&limit=${limit}`;
  const links: Record<string, string> = { current: link(page) };
  if (page > 1) links.previous = link(page - 1);
  if (page < totalPages) links.next = link(page + 1);
  return { items, pagination: { total: all.length, count: items.length, per_page: limit, current_page: page, total_pages: totalPages, links } };
}
