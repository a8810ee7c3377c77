import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway';
import { createTrustedPeerTest } from './client-address';
import { guardConnections } from './connection-guard';
import { readTls, reloadTlsOnChange, type TlsFiles } from './tls';

export interface ServeOptions {
  port: number;
  host: string;
  /** Whole request (headers and body) must arrive within this; a slow body is cut (slowloris). */
  requestTimeoutMs?: number;
  /** Complete headers must arrive within this (at most the request timeout), counted from the connection's start. */
  headersTimeoutMs?: number;
  /** Open connections at most; more are refused by the kernel backlog instead of exhausting memory. */
  maxConnections?: number;
  /** Serve HTTPS with this certificate and key (reloaded when the files change). */
  tls?: TlsFiles;
  /** Where a certificate that fails to reload is reported. */
  onTlsProblem?: (message: string) => void;
  /** Open connections one client address may hold (trusted proxies exempt); see connection-guard.ts. */
  maxConnectionsPerAddress?: number;
}

export interface Served {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  graphqlUrl: string;
  server: Server;
  /** Stops accepting, lets in-flight requests finish, closes keep-alive connections as they go idle. */
  close(): Promise<void>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 5000;
const DEFAULT_MAX_CONNECTIONS = 10_000;
const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;

/** The one way the gateway is put on a port: main, tests, scripts and the bench all use it. */
export async function serve(gateway: Gateway, options: ServeOptions): Promise<Served> {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const listenerOptions = {
    requestTimeout,
    headersTimeout: Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout),
    // Node checks the timeouts above only this often (default 30 s): a slow body would otherwise hold its
    // connection three times longer than configured.
    connectionsCheckingInterval: Math.min(1000, requestTimeout),
  };
  const { tls } = options;
  const tlsServer = tls ? createTlsServer({ ...listenerOptions, ...readTls(tls) }, gateway.yoga) : undefined;
  const server: Server = tlsServer ?? createServer(listenerOptions, gateway.yoga);
  const stopReloading = tlsServer && tls ? reloadTlsOnChange(tlsServer, tls, options.onTlsProblem ?? (() => undefined)) : () => undefined;
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  guardConnections(server, {
    maxPerAddress: options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    isExempt: createTrustedPeerTest(gateway.config.trustProxy),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `${tls ? 'https' : 'http'}://${shownHost}:${port}`;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        stopReloading();
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        sweep.unref();
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
