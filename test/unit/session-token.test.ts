import { createMemoryRevocationStore } from '../../src/state/memory';
import { createSessionTokens, deriveSessionKey, SessionTokenError } from '../../src/auth/session-token';
import { revocationOf, sessionRef } from '../helpers/revocations';

describe('session tokens (pure, injected clock)', () => {
  const shopper = { customerId: 7, email: 'a@example.com', customerGroupId: 2, customerAccessToken: 'cat-value' };

  it('round-trips a session, including an already verified token, and keeps the CAT opaque', async () => {
    let now = 1_800_000_000_000;
    const tokens = createSessionTokens({ key: deriveSessionKey('k'.repeat(32)), now: () => now, ttlSeconds: 600 });
    const { token, session } = await tokens.issue(shopper);
    expect(token).not.toContain('cat-value');
    expect(Buffer.from(token.split('.')[0], 'base64url').toString()).toContain('A256GCM');
    expect(await tokens.verify(token)).toEqual(session);
    now += 60_000;
    expect((await tokens.verify(token)).shopper).toEqual(shopper);
  });

  it('expires a remembered token with the clock, exactly like a fresh one', async () => {
    let now = 1_800_000_000_000;
    const tokens = createSessionTokens({ key: deriveSessionKey('k'.repeat(32)), now: () => now, ttlSeconds: 600 });
    const { token } = await tokens.issue(shopper);
    await tokens.verify(token);
    now += 606_000;
    await expect(tokens.verify(token)).rejects.toEqual(new SessionTokenError('expired'));
    const fresh = createSessionTokens({ key: deriveSessionKey('k'.repeat(32)), now: () => now, ttlSeconds: 600 });
    await expect(fresh.verify(token)).rejects.toEqual(new SessionTokenError('expired'));
  });

  it('never outlives notAfter (the upstream token it carries)', async () => {
    const now = 1_800_000_000_000;
    const tokens = createSessionTokens({ key: deriveSessionKey('k'.repeat(32)), now: () => now, ttlSeconds: 3600 });
    const { session } = await tokens.issue(shopper, now / 1000 + 100);
    expect(session.expiresAt).toBe(now / 1000 + 100);
  });

  it('refuses tokens of another key', async () => {
    const now = () => 1_800_000_000_000;
    const mine = createSessionTokens({ key: deriveSessionKey('k'.repeat(32)), now, ttlSeconds: 600 });
    const theirs = createSessionTokens({ key: deriveSessionKey('x'.repeat(32)), now, ttlSeconds: 600 });
    const { token } = await theirs.issue(shopper);
    await expect(mine.verify(token)).rejects.toEqual(new SessionTokenError('invalid'));
  });

  it('remembers revocations until the session would have expired', async () => {
    let now = 1_800_000_000_000;
    const revocations = createMemoryRevocationStore(() => now);
    await revocations.revoke(revocationOf('a', now / 1000 + 10));
    expect(await revocations.isRevoked(sessionRef('a'))).toBe(true);
    now += 60_000;
    await revocations.revoke(revocationOf('b', now / 1000 + 10));
    expect(await revocations.isRevoked(sessionRef('a'))).toBe(false);
    expect(await revocations.isRevoked(sessionRef('b'))).toBe(true);
  });
});
