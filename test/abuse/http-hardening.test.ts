// The HTTP layer in front of GraphQL: CORS only for the configured origins (never `null`), response headers for
// shopper data and HTML, slow bodies and slow headers cut, connections capped per client address.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { parseConfig } from '../../src/config';
import { startGateway, startStack, loginAs, SERVER_KEY, WHOLESALE, type Stack } from '../helpers/stack';

const ALLOWED = ['https://shop.example.com', 'https://www.shop.example.com'];

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
}

function post(url: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ site { settings { storeName } } }' }) });
}

describe('HTTP hardening', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { corsOrigins: ALLOWED } });
  });
  afterAll(() => stack.close());

  it.each(ALLOWED)('answers the configured origin %s with CORS headers for it alone, with credentials', async (origin) => {
    for (const response of [await preflight(stack.gateway.graphqlUrl, origin), await post(stack.gateway.graphqlUrl, { origin })]) {
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('vary')).toMatch(/Origin/);
    }
  });

  it.each(['null', 'https://evil.example', 'https://shop.example.com.evil.example', 'http://shop.example.com', 'https://SHOP.example.com'])(
    'gives the foreign origin %s no CORS headers at all',
    async (origin) => {
      for (const response of [await preflight(stack.gateway.graphqlUrl, origin), await post(stack.gateway.graphqlUrl, { origin })]) {
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      }
    },
  );

  it('marks answers that carry shopper data as private and says what they vary by', async () => {
    const session = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    const response = await post(stack.gateway.graphqlUrl, { authorization: `Bearer ${session.token}` });
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('vary')).toEqual(expect.stringMatching(/Cookie/));
    expect(response.headers.get('vary')).toEqual(expect.stringMatching(/Authorization/));
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves GraphiQL with a content security policy that forbids framing', async () => {
    const response = await fetch(stack.gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    await response.arrayBuffer();
  });
});

describe('slow and numerous connections', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  /** Sends `head` and nothing more on a raw connection; resolves with what the server answered once it closes. */
  function trickle(port: number, head: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(head));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
      socket.setTimeout(15_000, () => {
        socket.destroy();
        reject(new Error('the server kept a slow request open'));
      });
    });
  }

  it('cuts a body that does not arrive within the request timeout', async () => {
    const gateway = await startGateway(stack.sandbox, { config: { server: { ...parseConfig({}).server, requestTimeoutMs: 1000, maxConnections: 100 } } });
    try {
      const port = Number(new URL(gateway.url).port);
      const answer = await trickle(port, 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":');
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      // Still serving.
      expect((await post(gateway.graphqlUrl, {})).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('one client holding many slow connections', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  /** Polls `condition` until it holds (the test's own timeout bounds the wait). */
  async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 25));
  }

  const HEAD = 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';

  /** Opens `count` connections from `localAddress` that send part of a request head and then nothing. */
  async function holdHalfOpen(port: number, localAddress: string, count: number): Promise<Socket[]> {
    const sockets = await Promise.all(
      Array.from({ length: count }, () => new Promise<Socket>((resolve) => {
        const socket = connect({ port, host: '127.0.0.1', localAddress }, () => socket.write(HEAD));
        socket.on('error', () => undefined);
        socket.once('connect', () => resolve(socket));
        socket.once('close', () => resolve(socket));
      })),
    );
    return sockets;
  }

  /** A whole request from `localAddress` (a second loopback address is a second client). */
  function requestFrom(port: number, localAddress: string): Promise<{ status: number; body: string }> {
    const body = JSON.stringify({ query: '{ site { settings { storeName } } }' });
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { port, host: '127.0.0.1', localAddress, method: 'POST', path: '/graphql', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it.each<[string, number]>([
    ['far more connections than the listener allows', 120],
    ['just over its own cap', 9],
  ])('cannot stop another client from being served: %s', async (_name, count) => {
    const gateway = await startGateway(stack.sandbox, {
      config: { server: { ...parseConfig({}).server, maxConnections: 40, maxConnectionsPerAddress: 8 } },
    });
    const sockets: Socket[] = [];
    try {
      const port = Number(new URL(gateway.url).port);
      sockets.push(...(await holdHalfOpen(port, '127.0.0.2', count)));
      // The cap closed the connections past 8 as they were accepted; the first 8 are still held open.
      await until(() => sockets.filter((socket) => socket.destroyed).length >= count - 8);
      expect(sockets.filter((socket) => !socket.destroyed).length).toBe(8);
      for (let i = 0; i < 3; i++) {
        const answer = await requestFrom(port, '127.0.0.3');
        expect(answer.status).toBe(200);
        expect(answer.body).toContain('storeName');
      }
      // Once its connections close, the first client is served again.
      for (const socket of sockets) socket.destroy();
      let again: { status: number } | undefined;
      await until(async () => (again = await requestFrom(port, '127.0.0.2').catch(() => undefined)) !== undefined);
      expect(again?.status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await gateway.close();
    }
  });

  it('cuts request headers that trickle in past the headers timeout, well before the request timeout', async () => {
    const gateway = await startGateway(stack.sandbox, {
      config: { server: { ...parseConfig({}).server, requestTimeoutMs: 60_000, headersTimeoutMs: 1000 } },
    });
    try {
      const port = Number(new URL(gateway.url).port);
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        let header = 0;
        const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.4' }, () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'));
        const trickle = setInterval(() => socket.write(`X-Slow-${++header}: 1\r\n`), 100);
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(trickle);
          resolve(text);
        });
        // The request timeout (60 s) would cut it too, but far later than this.
        socket.setTimeout(15_000, () => {
          socket.destroy();
          reject(new Error('the server kept trickling headers open'));
        });
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect((await post(gateway.graphqlUrl, {})).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('a client that keeps sending documents the limits refuse', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { trustProxy: true, limits: { ...parseConfig({}).limits, maxRefusalsPerMinute: 5 } } });
  });
  afterAll(() => stack.close());

  const repeated = (i: number) => `# ${i}\n{ site { ${Array.from({ length: 300 }, () => 'products { edges { node { name } } }').join(' ')} } }`;
  const deep = (i: number) => {
    let inner = 'name';
    for (let level = 0; level < 8; level++) inner = level % 2 === 0 ? `products { edges { node { ${inner} } } }` : `categories { edges { node { ${inner} } } }`;
    return `# ${i}\n{ site { ${inner} } }`;
  };

  it.each<[string, (i: number) => string, string]>([
    ['repeated selections', repeated, '198.51.100.201'],
    ['deep nesting', deep, '198.51.100.202'],
  ])('is answered unread after the limit (%s); other clients are served', async (_name, document, ip) => {
    const send = (query: string, from: string) =>
      fetch(stack.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ query }) });
    for (let i = 0; i < 5; i++) {
      const refused = (await (await send(document(i), ip)).json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(refused.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    const throttled = await send(document(99), ip);
    expect(throttled.status).toBe(429);
    expect(((await throttled.json()) as { errors: Array<{ extensions: Record<string, unknown> }> }).errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'TOO_MANY_REFUSED' });
    // Even a good query from that client waits; everyone else is served.
    expect((await send('{ site { settings { storeName } } }', ip)).status).toBe(429);
    expect((await send('{ site { settings { storeName } } }', '198.51.100.250')).status).toBe(200);
  });

  it('never throttles a trusted server (an SSR tier speaks for many shoppers from one address)', async () => {
    const send = (query: string) =>
      fetch(stack.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.203', 'x-gateway-server-key': SERVER_KEY },
        body: JSON.stringify({ query }),
      });
    for (let i = 0; i < 8; i++) expect((await send(repeated(i))).status).toBe(200);
    expect((await send('{ site { settings { storeName } } }')).status).toBe(200);
  });
});
