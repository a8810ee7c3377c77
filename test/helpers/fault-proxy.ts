import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { startSandbox, type SandboxOptions } from '../../sandbox';
import { closeServer, listen, startGateway, type Stack, type StartGatewayOptions } from './stack';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  /** The connection is cut without an answer, as from a dead upstream. */
  | { kind: 'drop' };

/**
 * A real HTTP proxy in front of an upstream: counts requests per path and injects faults for paths
 * matching a predicate, so tests can see what the gateway sends and how it copes when the upstream fails.
 */
export interface FaultProxy {
  url: string;
  requests: Array<{ method: string; path: string; body: string; headers: IncomingMessage['headers'] }>;
  /** Fault for requests whose path matches; evaluated per request (a function can change over time). */
  setFault(match: (path: string) => boolean, fault: Fault | (() => Fault)): void;
  clearFaults(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const faults: Array<{ match: (path: string) => boolean; fault: Fault | (() => Fault) }> = [];
  const requests: FaultProxy['requests'] = [];
  const hanging = new Set<IncomingMessage>();
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    requests.push({ method: req.method ?? 'GET', path, body: body.toString('utf8'), headers: req.headers });
    const entry = faults.find((f) => f.match(path));
    const fault = entry ? (typeof entry.fault === 'function' ? entry.fault() : entry.fault) : { kind: 'pass' as const };
    if (fault.kind === 'hang') {
      hanging.add(req);
      return;
    }
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault.kind === 'respond') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? '{}');
      return;
    }
    const upstream = httpRequest(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  });
  const url = await listen(server);
  return {
    url,
    requests,
    setFault: (match, fault) => void faults.unshift({ match, fault }),
    clearFaults: () => void faults.splice(0, faults.length),
    close: async () => {
      for (const req of hanging) req.socket.destroy();
      await closeServer(server);
    },
  };
}

export interface ProxiedStack extends Stack {
  proxy: FaultProxy;
}

/**
 * Sandbox → fault proxy → gateway: the gateway reaches the upstreams named in `through` via the proxy
 * (which records every request and can fail them), everything else directly.
 */
export async function startProxiedStack(
  options: StartGatewayOptions & { sandbox?: SandboxOptions; through: Array<'storefront' | 'rest'> },
): Promise<ProxiedStack> {
  const sandbox = await startSandbox({ port: 0, ...options.sandbox });
  const proxy = await startFaultProxy(sandbox.url);
  const gateway = await startGateway(sandbox, {
    ...options,
    store: {
      ...(options.through.includes('storefront') ? { storefrontUrl: `${proxy.url}/graphql` } : {}),
      ...(options.through.includes('rest') ? { apiUrl: proxy.url } : {}),
      ...options.store,
    },
  });
  return {
    sandbox,
    proxy,
    gateway,
    close: async () => {
      await gateway.close();
      await proxy.close();
      await sandbox.close();
    },
  };
}
