import { createCustomerLoginSigner, createCustomerLoginVerifier } from '../../src/auth/customer-login-jwt';
import { createSessionService, type SessionService } from '../../src/auth/sessions';
import { createSessionTokens, deriveSessionKey, type Shopper } from '../../src/auth/session-token';
import type { GatewayContext } from '../../src/context';
import { createMemoryCounterStore, createMemoryRevocationStore } from '../../src/state/memory';
import type { RevocationStore } from '../../src/state/types';

const shopperOf = (customerId: number): Shopper => ({ customerId, email: `c${customerId}@example.com`, customerGroupId: 1 });

function contextOf(clientIp: string, trustedServer = false): GatewayContext {
  return {
    session: null,
    shopper: null,
    clientIp,
    correlationId: 'test',
    trustedServer,
    channelId: 1,
    responseCookies: [],
    tally: {} as GatewayContext['tally'],
    loaders: new Map(),
  };
}

function setup(limits = { windowSeconds: 60, perCustomer: 3, perClient: 5 }, revocations?: (now: () => number) => RevocationStore) {
  let clock = Date.UTC(2031, 0, 1);
  const now = () => clock;
  const tokens = createSessionTokens({ key: deriveSessionKey('s'.repeat(32)), now, ttlSeconds: 3600 });
  const store = revocations ? revocations(now) : createMemoryRevocationStore(now);
  const sessions = createSessionService({
    tokens,
    ttlSeconds: 3600,
    revocations: store,
    counters: createMemoryCounterStore(now),
    limits,
    cookie: { name: 'sfgw_session', secure: false },
    now,
    log: () => undefined,
  });
  return { sessions, tokens, revocations: store, advance: (ms: number) => void (clock += ms), now };
}

async function openFor(sessions: SessionService, ctx: GatewayContext, customerId: number): Promise<string> {
  return sessions.open(ctx, await sessions.admit(ctx, customerId), shopperOf(customerId));
}

describe('session openings are bounded per customer and per client', () => {
  it('refuses the opening past the bound for one customer, from any client, until the window ends', async () => {
    const { sessions, advance } = setup();
    for (let i = 0; i < 3; i++) await openFor(sessions, contextOf(`198.51.100.${i}`), 42);
    await expect(sessions.admit(contextOf('198.51.100.9'), 42)).rejects.toMatchObject({
      extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SESSIONS', retryAfterMs: 60_000 },
    });
    // Other customers are not held back by it; the customer is, once the window has passed, no longer.
    await expect(openFor(sessions, contextOf('198.51.100.9'), 43)).resolves.toEqual(expect.any(String));
    advance(60_000);
    await expect(openFor(sessions, contextOf('198.51.100.9'), 42)).resolves.toEqual(expect.any(String));
  });

  it('refuses the opening past the bound for one client across many customers (an IPv6 /64 is one client)', async () => {
    const { sessions } = setup();
    for (let i = 0; i < 5; i++) await openFor(sessions, contextOf(`2001:db8:1:2::${i + 1}`), 100 + i);
    await expect(sessions.admit(contextOf('2001:db8:1:2:ffff::1'), 200)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SESSIONS' } });
    await expect(openFor(sessions, contextOf('2001:db8:1:3::1'), 200)).resolves.toEqual(expect.any(String));
    // A trusted server speaks for many shoppers from one address: only the per-customer bound applies to it.
    for (let i = 0; i < 10; i++) await openFor(sessions, contextOf('2001:db8:1:2::1', true), 300 + i);
  });

  it('spends a one-time token only within the bound, and counts nothing for a token already spent', async () => {
    const { sessions } = setup();
    const ctx = contextOf('192.0.2.1');
    const alreadySpent = async () => {
      throw new Error('ALREADY_USED');
    };
    // A replayed token, however often, takes nothing from the customer's bound.
    for (let i = 0; i < 10; i++) await expect(sessions.admit(ctx, 42, alreadySpent)).rejects.toThrow('ALREADY_USED');
    let spent = 0;
    const spend = async () => void (spent += 1);
    for (let i = 0; i < 3; i++) await sessions.admit(ctx, 42, spend);
    // Past the bound the token is not spent: a flood writes no claims, and the shopper may use it later.
    await expect(sessions.admit(ctx, 42, spend)).rejects.toMatchObject({ extensions: { reason: 'TOO_MANY_SESSIONS' } });
    expect(spent).toBe(3);
  });

  it('opens only the session it admitted', async () => {
    const { sessions } = setup();
    const ctx = contextOf('192.0.2.1');
    const admission = await sessions.admit(ctx, 1);
    await expect(sessions.open(ctx, admission, shopperOf(2))).rejects.toThrow('another customer');
  });
});

describe('revocations from a flood of session openings', () => {
  it('grow with customers: 10 customers cycling 200 sessions each (as aliases would) keep 10 records', async () => {
    let forgotten = 0;
    const { sessions, tokens, revocations } = setup({ windowSeconds: 60, perCustomer: 1_000, perClient: 1_000_000 }, (now) =>
      createMemoryRevocationStore(now, 10, () => (forgotten += 1)),
    );
    const bystanderToken = await openFor(sessions, contextOf('192.0.2.50'), 999);
    for (let customer = 1; customer <= 9; customer++) {
      const ctx = contextOf(`192.0.2.${customer}`);
      for (let i = 0; i < 200; i++) {
        await openFor(sessions, ctx, customer).catch((error: { extensions?: { reason?: string } }) => {
          if (error.extensions?.reason !== 'TOO_MANY_SESSIONS') throw error;
        });
      }
    }
    expect(forgotten).toBe(0);
    const session = await tokens.verify(bystanderToken);
    expect(await revocations.isRevoked({ sessionId: session.id, customerId: 999 })).toBe(false);
    expect(await revocations.customerRevokedAt(999)).toBeUndefined();
  });

  it("ending one session leaves the customer's other devices logged in", async () => {
    const { sessions, tokens, revocations } = setup();
    const phone = contextOf('192.0.2.1');
    const laptop = contextOf('192.0.2.2');
    await openFor(sessions, phone, 7);
    const laptopToken = await openFor(sessions, laptop, 7);
    const phoneSession = phone.session!;
    await sessions.end(phone);
    expect(await revocations.isRevoked({ sessionId: phoneSession.id, customerId: 7 })).toBe(true);
    const laptopSession = await tokens.verify(laptopToken);
    expect(await revocations.isRevoked({ sessionId: laptopSession.id, customerId: 7 })).toBe(false);
    expect(await revocations.customerRevokedAt(7)).toBeUndefined();
  });

  it('refuses (RATE_LIMITED) a session that a same-second collapse would leave dead on arrival', async () => {
    const { sessions, revocations } = setup({ windowSeconds: 60, perCustomer: 1_000, perClient: 1_000 });
    const ctx = contextOf('192.0.2.1');
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++) {
      await openFor(sessions, ctx, 5).then(
        async () => {
          // What it answered is alive: neither revoked nor under the customer's cutoff.
          const cutoff = (await revocations.customerRevokedAt(5)) ?? 0;
          expect(ctx.session!.issuedAt).toBeGreaterThan(cutoff);
          outcomes.push('opened');
        },
        (error: { extensions?: { reason?: string } }) => {
          outcomes.push(String(error.extensions?.reason));
          // Refused: the request carries no session any more, so the next alias opens a fresh one.
          expect(ctx.session).toBeNull();
        },
      );
    }
    // Every 17th replacement collapses within this second: it answers TOO_MANY_SESSIONS, never a dead session.
    expect(outcomes.filter((outcome) => outcome === 'TOO_MANY_SESSIONS').length).toBeGreaterThan(0);
    expect(outcomes.every((outcome) => outcome === 'opened' || outcome === 'TOO_MANY_SESSIONS')).toBe(true);
  });
});

describe("the gateway's own Customer Login JWTs", () => {
  const identity = { clientId: 'client-1', clientSecret: 'secret-0123456789-0123456789-abcdef', storeHash: 'abc123', channelId: 1 };
  const now = () => Date.UTC(2031, 0, 1);
  const sign = createCustomerLoginSigner({ ...identity, now });
  const verify = createCustomerLoginVerifier({ ...identity, now });

  it('carry an ordinary UUID v4 jti, and are refused at the gateway, from a trusted server too', async () => {
    for (let i = 0; i < 20; i++) {
      const { jwt } = await sign({ customerId: 2, channelId: 1, redirectTo: '/', requestIp: '192.0.2.1' });
      const jti = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).jti as string;
      expect(jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      await expect(verify(jwt, { clientIp: '192.0.2.1', trustedServer: false })).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'CLAIM_INVALID' } });
      await expect(verify(jwt, { clientIp: '192.0.2.1', trustedServer: true })).rejects.toMatchObject({ extensions: { reason: 'CLAIM_INVALID' } });
    }
  });

  it("are told apart by the tag: another signer's (or another secret's) UUIDs are accepted", async () => {
    const other = createCustomerLoginSigner({ ...identity, clientSecret: 'another-secret-0123456789-abcdefgh', now });
    const { jwt } = await other({ customerId: 2, channelId: 1, redirectTo: '/', requestIp: '192.0.2.1' });
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    // Re-signed with this store's secret: the jti's tag was made with another key, so it is not the gateway's.
    const { SignJWT } = await import('jose');
    const resigned = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(identity.clientSecret));
    await expect(verify(resigned, { clientIp: '192.0.2.1', trustedServer: false })).resolves.toMatchObject({ customerId: 2 });
  });
});
