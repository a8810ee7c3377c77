// POST /webhooks/bigcommerce against floods anyone can send: refusals decided from the headers before the body is
// read, the HMAC over the bytes as received, refusal logs rate-limited, and a per-address throttle on failed
// signatures that never holds back a sender whose deliveries verify.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createMemorySingleUseStore } from '../../src/state/memory';
import type { WebhookEndpointDeps } from '../../src/webhooks/endpoint';
import { WEBHOOK_SECRET_HEADER } from '../../src/webhooks/verify';
import { recordingInvalidator, recordingLogger, signedHeaders, webhookApp } from './helpers';

const CLIENT_SECRET = 'client-secret-of-the-flood-test-0123456789';
const CUSTOM_SECRET = 'custom-header-secret-of-the-flood-test-abcdef';
const URL_ = 'http://gateway.test/webhooks/bigcommerce';
const MiB = 1024 * 1024;

function payload(id = 104): string {
  const unsigned = { scope: 'store/product/updated', store_id: '1000001', data: { type: 'product', id }, created_at: Math.floor(Date.now() / 1000), producer: 'stores/abc123' };
  return JSON.stringify({ ...unsigned, hash: createHash('sha1').update(JSON.stringify(unsigned)).digest('hex') });
}

function setup(overrides: Partial<WebhookEndpointDeps> = {}) {
  let now = Date.now();
  const logger = recordingLogger();
  const invalidator = recordingInvalidator();
  const app = webhookApp({
    clientSecret: CLIENT_SECRET,
    customSecret: { header: WEBHOOK_SECRET_HEADER, value: CUSTOM_SECRET },
    singleUse: createMemorySingleUseStore(() => now),
    invalidator,
    resolveGroupsOfPriceList: async () => undefined,
    logger,
    now: () => now,
    maxBodyBytes: 1 * MiB,
    storeHash: 'abc123',
    // Tests name the sender in a header of their own (the gateway passes its client address).
    clientAddress: (request) => request.headers.get('x-test-sender') ?? '',
    maxFailuresPerMinute: 5,
    ...overrides,
  });
  /** A body that counts how much of it was read. */
  const streamed = (size: number) => {
    const state = { read: 0 };
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (state.read >= size) return controller.close();
        state.read += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }, { highWaterMark: 0 });
    return { stream, state };
  };
  return {
    app,
    logger,
    invalidator,
    advance: (ms: number) => void (now += ms),
    post: (body: BodyInit, headers: Record<string, string>) =>
      Promise.resolve(app.yoga.fetch(URL_, { method: 'POST', headers, body, duplex: 'half' } as RequestInit)),
    streamed,
  };
}

const fresh = () => Math.floor(Date.now() / 1000);
const fakeSignature = () => `v1,${Buffer.alloc(32, 7).toString('base64')}`;

describe('refusals decided from the headers, before the body is read', () => {
  it.each<[string, () => Record<string, string>]>([
    ['no credentials', () => ({})],
    ['an empty webhook-id', () => ({ 'webhook-id': '', 'webhook-timestamp': String(fresh()), 'webhook-signature': fakeSignature() })],
    ['a webhook-id of 10,000 characters', () => ({ 'webhook-id': 'm'.repeat(10_000), 'webhook-timestamp': String(fresh()), 'webhook-signature': fakeSignature() })],
    ['a timestamp that is not a number', () => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': '12e9', 'webhook-signature': fakeSignature() })],
    ['a stale timestamp', () => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(fresh() - 600), 'webhook-signature': fakeSignature() })],
    ['a timestamp in the future', () => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(fresh() + 600), 'webhook-signature': fakeSignature() })],
    ['a signature that is not base64 of 32 bytes', () => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(fresh()), 'webhook-signature': 'v1,AAAA' })],
    ['only signatures of another version', () => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(fresh()), 'webhook-signature': fakeSignature().replace('v1,', 'v9,') })],
    ['9,000 signatures', () => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(fresh()), 'webhook-signature': Array.from({ length: 9000 }, fakeSignature).join(' ') })],
    ['a wrong custom header', () => ({ [WEBHOOK_SECRET_HEADER]: 'wrong' })],
  ])('%s: 401 without reading a 1 MiB body', async (_name, headers) => {
    const s = setup();
    const { stream, state } = s.streamed(MiB);
    const response = await s.post(stream, { 'content-type': 'application/json', ...headers() });
    expect(response.status).toBe(401);
    expect(state.read).toBeLessThan(MiB);
    expect(s.invalidator.attempts).toBe(0);
  });

  it('reads and verifies the body only for a well-formed, current signature', async () => {
    const s = setup();
    const { stream, state } = s.streamed(MiB - 64 * 1024);
    const response = await s.post(stream, { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(fresh()), 'webhook-signature': fakeSignature() });
    expect(response.status).toBe(401);
    expect(state.read).toBe(MiB - 64 * 1024);
  });
});

describe('the signature, as Standard Webhooks defines it', () => {
  it.each<[string, (body: string) => Record<string, string>]>([
    ['signed by the standardwebhooks package', (body) => signedHeaders(CLIENT_SECRET, body)],
    ['one valid signature among several (a key rotation)', (body) => {
      const headers = signedHeaders(CLIENT_SECRET, body);
      return { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32, 1).toString('base64')} v2,abc ${headers['webhook-signature']}` };
    }],
    ['the custom header secret with no signature', () => ({ 'content-type': 'application/json', [WEBHOOK_SECRET_HEADER]: CUSTOM_SECRET })],
  ])('accepts a delivery %s', async (_name, headersFor) => {
    const s = setup();
    const body = payload();
    expect((await s.post(body, headersFor(body))).status).toBe(200);
    await s.app.plugin.idle();
    expect(s.invalidator.calls.length).toBe(1);
  });

  it('verifies the bytes as received, not their decoding', async () => {
    const s = setup();
    // A body that is not valid UTF-8: decoding and re-encoding it would change the bytes the HMAC covers.
    const bytes = Buffer.concat([Buffer.from(payload().slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const id = `msg_${randomUUID()}`;
    const timestamp = String(fresh());
    const signature = createHmac('sha256', Buffer.from(CLIENT_SECRET)).update(`${id}.${timestamp}.`).update(bytes).digest('base64');
    const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
    expect((await s.post(bytes, headers)).status).toBe(200);
    // The package, given the same bytes' text, computes the signature of the re-encoded text: another signature.
    const reencoded = new Webhook(Buffer.from(CLIENT_SECRET).toString('base64')).sign(id, new Date(Number(timestamp) * 1000), bytes.toString('utf8'));
    expect(reencoded).not.toBe(`v1,${signature}`);
  });
});

describe('refusal logs', () => {
  it('write one line per interval for a flood, then one carrying how many were left out', async () => {
    const s = setup();
    for (let i = 0; i < 50; i++) expect((await s.post(payload(), { 'content-type': 'application/json' })).status).toBe(401);
    const refusals = () => s.logger.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === 'webhook: refused an unauthenticated delivery');
    expect(refusals()).toHaveLength(1);
    s.advance(11_000);
    await s.post(payload(), { 'content-type': 'application/json', 'webhook-id': 'msg_2', 'webhook-timestamp': String(fresh() - 900), 'webhook-signature': fakeSignature() });
    expect(refusals()).toHaveLength(2);
    expect(refusals()[1]).toMatchObject({ level: 'warn', suppressed: 49, reason: 'stale-timestamp' });
  });
});

describe('the per-address throttle on failed signatures', () => {
  const badlySigned = (s: ReturnType<typeof setup>, sender: string) => {
    const body = payload();
    return s.post(body, { ...signedHeaders('not-the-client-secret', body), 'x-test-sender': sender });
  };
  const wellSigned = (s: ReturnType<typeof setup>, sender: string, extra: Record<string, string> = {}) => {
    const body = payload();
    return s.post(body, { ...signedHeaders(CLIENT_SECRET, body), 'x-test-sender': sender, ...extra });
  };

  it('answers 429 before reading the body once an address has failed too often; other addresses are served', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) expect((await badlySigned(s, '198.51.100.7')).status).toBe(401);
    const { stream, state } = s.streamed(MiB - 64 * 1024);
    const throttled = await s.post(stream, { 'content-type': 'application/json', 'webhook-id': 'msg_x', 'webhook-timestamp': String(fresh()), 'webhook-signature': fakeSignature(), 'x-test-sender': '198.51.100.7' });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(state.read).toBeLessThan(MiB - 64 * 1024);
    expect(s.app.outcomes.deliveries).toContain('throttled');
    // BigCommerce, from its own address, is not held back by them.
    expect((await wellSigned(s, '203.0.113.9')).status).toBe(200);
    // After the minute, the address is heard again.
    s.advance(61_000);
    expect((await badlySigned(s, '198.51.100.7')).status).toBe(401);
  });

  it('counts an IPv6 sender by its /64', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) await badlySigned(s, `2001:db8:5:6::${i + 1}`);
    expect((await badlySigned(s, '2001:db8:5:6:ffff::1')).status).toBe(429);
    expect((await badlySigned(s, '2001:db8:5:7::1')).status).toBe(401);
  });

  it('never holds back a sender whose deliveries verify, even on an address others fail from', async () => {
    const s = setup();
    const shared = '192.0.2.50';
    expect((await wellSigned(s, shared)).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await badlySigned(s, shared)).status).toBe(401);
    expect((await wellSigned(s, shared)).status).toBe(200);
  });

  it('never counts refusals decided from the headers: an unsigned flood cannot throttle a shared address', async () => {
    const s = setup();
    const shared = '192.0.2.60';
    for (let i = 0; i < 30; i++) expect((await s.post(payload(), { 'content-type': 'application/json', 'x-test-sender': shared })).status).toBe(401);
    expect((await wellSigned(s, shared)).status).toBe(200);
  });

  it('lets the custom header secret through a throttled address (it is checked without the body)', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) await badlySigned(s, '198.51.100.8');
    expect((await badlySigned(s, '198.51.100.8')).status).toBe(429);
    expect((await s.post(payload(), { 'content-type': 'application/json', [WEBHOOK_SECRET_HEADER]: CUSTOM_SECRET, 'x-test-sender': '198.51.100.8' })).status).toBe(200);
  });
});
