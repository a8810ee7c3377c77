import { Agent, request as undiciRequest } from 'undici';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface HttpReply {
  status: number;
  /** A response header by lower-case name. */
  header(name: string): string | undefined;
  text: string;
}

/**
 * One HTTP exchange with an upstream. Rejects on transport failure (refused, reset, aborted by `signal`);
 * any status resolves. The gateway's only way out to BigCommerce: tests inject their own.
 */
export type HttpClient = (request: HttpRequest) => Promise<HttpReply>;

/**
 * undici's keep-alive pool: no WHATWG streams per request, connections reused across requests. Deadlines
 * come from the caller's `signal` (retries included), so the pool sets no timeouts of its own.
 */
export function createHttpClient(options: { connections?: number } = {}): { request: HttpClient; close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: options.connections ?? 128 });
  return {
    async request({ method, url, headers, body, signal }) {
      const response = await undiciRequest(url, { method, headers, body, dispatcher: agent, signal });
      const text = await response.body.text();
      return {
        status: response.statusCode,
        header(name) {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        text,
      };
    },
    close: () => agent.close(),
  };
}
