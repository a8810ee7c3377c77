/**
 * A storefront server as Catalyst runs one: BigCommerce's `@bigcommerce/catalyst-client` (unmodified) in its own
 * process, trusting the test's certificate through NODE_EXTRA_CA_CERTS and resolving `*.{domain}` to 127.0.0.1
 * through the test's resolver; and the gateway serving HTTPS with that certificate on `store-{hash}-{channel}.{domain}`.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const FRONT_DOOR_DOMAIN = 'gw.test';

export interface Certificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  remove(): void;
}

/** A self-signed wildcard certificate for `*.{domain}` (openssl, a Debian base package). */
export function makeCertificate(domain: string): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'front-door-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${domain}`, '-addext', `subjectAltName=DNS:*.${domain},DNS:${domain}`,
  ], { stdio: 'ignore' });
  return { certFile, keyFile, cert: readFileSync(certFile), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ClientFailure {
  name: string;
  message: string;
  status?: number;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export type ClientOutcome<T> = { ok: true; value: T } | { ok: false; error: ClientFailure };

export interface CatalystProcess {
  fetch<T = { data: Record<string, unknown> }>(args: {
    document: string;
    variables?: Record<string, unknown>;
    customerAccessToken?: string;
    channelId?: string;
    fetchOptions?: Record<string, unknown>;
    validateCustomerAccessToken?: boolean;
  }): Promise<ClientOutcome<T>>;
  sitemap(channelId?: string): Promise<ClientOutcome<string>>;
  close(): Promise<void>;
}

export function startCatalystProcess(options: { port: number; cert: Certificate; storeHash: string; storefrontToken: string; channelId?: string }): CatalystProcess {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--require', join(__dirname, 'loopback-resolver.js'), join(__dirname, 'catalyst-client-child.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: options.cert.certFile,
      BIGCOMMERCE_GRAPHQL_API_DOMAIN: `${FRONT_DOOR_DOMAIN}:${options.port}`,
      LOOPBACK_DOMAIN: FRONT_DOOR_DOMAIN,
      STORE_HASH: options.storeHash,
      STOREFRONT_TOKEN: options.storefrontToken,
      CHANNEL_ID: options.channelId ?? '1',
    },
  });
  const pending = new Map<number, (outcome: ClientOutcome<unknown>) => void>();
  let nextId = 1;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { id: number } & ClientOutcome<unknown>;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const call = <T>(method: string, args: unknown) =>
    new Promise<ClientOutcome<T>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (outcome: ClientOutcome<unknown>) => void);
      child.stdin.write(`${JSON.stringify({ id, method, args })}\n`);
    });
  return {
    fetch: (args) => call('fetch', args),
    sitemap: (channelId) => call<string>('sitemap', { channelId }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** A raw HTTPS request to the front door with exactly these headers (the Host names the store and channel). */
export function rawFrontDoorPost(options: { port: number; cert: Buffer; host: string; headers: Record<string, string>; body: string }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        servername: options.host,
        ca: options.cert,
        method: 'POST',
        path: '/graphql',
        headers: { host: `${options.host}:${options.port}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body), ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
