import type { GatewayContext } from '../context';
import { gatewayError } from '../errors';
import { limitKeyOf } from '../http/client-address';
import type { CounterStore, RevocationStore } from '../state/types';
import { clearedSessionCookie, sessionCookie, type CookieSettings } from './session-cookie';
import { SESSION_CLOCK_TOLERANCE_SECONDS, type Session, type SessionTokens, type Shopper } from './session-token';

/** How many sessions may be opened per customer and per client address in one window (SessionService.admit). */
export interface SessionOpeningLimits {
  windowSeconds: number;
  perCustomer: number;
  /** Trusted servers (an SSR tier speaking for many shoppers) are exempt: the per-customer bound still holds. */
  perClient: number;
}

/**
 * A customer signs in a handful of times a day; a loop opening sessions (aliased, batched, or with many tokens)
 * is what these stop. Counted in the shared counters, so the bound holds across instances.
 */
export const DEFAULT_SESSION_OPENING_LIMITS: SessionOpeningLimits = { windowSeconds: 900, perCustomer: 20, perClient: 60 };

/** Proof that opening a session for this customer was counted (SessionService.admit); open() requires one. */
export interface SessionAdmission {
  readonly customerId: number;
  readonly admitted: true;
}

export interface SessionService {
  /**
   * Counts one session opening for the customer and the request's client; RATE_LIMITED past either bound.
   * Called once the caller has proved who the customer is, before any upstream work for the session. `spend`
   * (a one-time token's claim) runs only when the bounds leave room, and before anything is counted: a flood past
   * the bound spends no tokens and writes nothing, and a replayed token counts against nobody.
   */
  admit(ctx: GatewayContext, customerId: number, spend?: () => Promise<void>): Promise<SessionAdmission>;
  /**
   * Opens a gateway session for `shopper`: ends the request's previous one, sets the cookie, returns the
   * bearer token — and answers the rest of this request (the result's fields, later mutations) for the new shopper.
   */
  open(ctx: GatewayContext, admission: SessionAdmission, shopper: Shopper, notAfter?: number): Promise<string>;
  /** Ends the request's session (if any) everywhere, clears the cookie; the rest of the request is a guest's. */
  end(ctx: GatewayContext): Promise<void>;
  /**
   * Ends every session of a customer issued until now (the customer changed in the store: another group, or
   * deleted), for as long as any of them could still be valid. The context refuses them; a new login describes
   * the customer as they are now.
   */
  endAllOf(customerId: number): Promise<void>;
}

/** Gateway sessions: encrypted tokens, and revocations in shared state (so a logout holds on every instance). */
export function createSessionService(deps: {
  tokens: SessionTokens;
  /** GATEWAY_SESSION_TTL_SECONDS: how long any session can live. */
  ttlSeconds: number;
  revocations: RevocationStore;
  counters: CounterStore;
  limits?: SessionOpeningLimits;
  cookie: CookieSettings;
  now: () => number;
  log: (event: string, fields: Record<string, unknown>) => void;
}): SessionService {
  const limits = deps.limits ?? DEFAULT_SESSION_OPENING_LIMITS;
  const nowSeconds = () => Math.floor(deps.now() / 1000);
  // Until when a session issued now could be accepted: a per-customer cutoff written now is kept that long.
  const horizon = () => nowSeconds() + deps.ttlSeconds + SESSION_CLOCK_TOLERANCE_SECONDS;
  // Kept for as long as a verifier would still accept the token; written before the answer says success.
  const revoke = (session: Session) =>
    deps.revocations.revoke({
      sessionId: session.id,
      customerId: session.shopper.customerId,
      issuedAt: session.issuedAt,
      expiresAt: session.expiresAt + SESSION_CLOCK_TOLERANCE_SECONDS,
      cutoffUntil: horizon(),
    });
  const tooMany = (what: string, resetAt: number) =>
    gatewayError('RATE_LIMITED', `Too many sessions opened for this ${what}; try again later`, {
      reason: 'TOO_MANY_SESSIONS',
      retryAfterMs: Math.max(0, resetAt - deps.now()),
    });
  const windowMs = limits.windowSeconds * 1000;
  return {
    async admit(ctx, customerId, spend) {
      const bounds = [{ what: 'account', key: `sessions:customer:${customerId}`, max: limits.perCustomer }];
      if (!ctx.trustedServer) bounds.push({ what: 'client', key: `sessions:client:${limitKeyOf(ctx.clientIp)}`, max: limits.perClient });
      for (const { what, key, max } of bounds) {
        const window = await deps.counters.peek(key);
        if (window && window.count >= max) throw tooMany(what, window.resetAt);
      }
      await spend?.();
      // Counted after the peek, so concurrent openings may pass it together: the increment decides.
      for (const { what, key, max } of bounds) {
        const window = await deps.counters.increment(key, windowMs);
        if (window.count > max) throw tooMany(what, window.resetAt);
      }
      return { customerId, admitted: true };
    },
    async open(ctx, admission, shopper, notAfter) {
      if (admission.customerId !== shopper.customerId) throw new Error('session admitted for another customer');
      if (ctx.session) await revoke(ctx.session);
      // A cutoff of this second (revocations collapsed, or the customer changed) would leave a session issued now
      // dead on arrival: a customer cycling sessions within one second is told to wait for the next.
      const cutoff = await deps.revocations.customerRevokedAt(shopper.customerId);
      if (cutoff !== undefined && cutoff >= nowSeconds()) {
        ctx.session = null;
        ctx.shopper = null;
        throw tooMany('account', (cutoff + 1) * 1000);
      }
      const { token, session } = await deps.tokens.issue(shopper, notAfter);
      ctx.responseCookies.push(sessionCookie(deps.cookie, token, session.expiresAt - nowSeconds()));
      ctx.session = session;
      ctx.shopper = shopper;
      deps.log('session opened', { customerId: shopper.customerId, correlationId: ctx.correlationId });
      return token;
    },
    async endAllOf(customerId) {
      await deps.revocations.revokeCustomer(customerId, nowSeconds(), horizon());
    },
    async end(ctx) {
      if (ctx.session) await revoke(ctx.session);
      ctx.responseCookies.push(clearedSessionCookie(deps.cookie));
      ctx.session = null;
      ctx.shopper = null;
    },
  };
}
