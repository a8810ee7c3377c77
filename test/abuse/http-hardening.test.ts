// The HTTP layer in front of GraphQL: CORS only for the configured origins (never `null`), response headers for
// shopper data and HTML, slow bodies cut, connections capped.
import { connect } from 'node:net';
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
    const gateway = await startGateway(stack.sandbox, { config: { server: { requestTimeoutMs: 1000, maxConnections: 100 } } });
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
