import type { GatewayContext } from '../context';
import type { RevocationStore } from '../state/types';
import { clearedSessionCookie, sessionCookie, type CookieSettings } from './session-cookie';
import { SESSION_CLOCK_TOLERANCE_SECONDS, type Session, type SessionTokens, type Shopper } from './session-token';

export interface SessionService {
  /**
   * Opens a gateway session for `shopper`: ends the request's previous one, sets the cookie, returns the
   * bearer token — and answers the rest of this request (the result's fields, later mutations) for the new shopper.
   */
  open(ctx: GatewayContext, shopper: Shopper, notAfter?: number): Promise<string>;
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
  cookie: CookieSettings;
  now: () => number;
  log: (event: string, fields: Record<string, unknown>) => void;
}): SessionService {
  // Kept for as long as a verifier would still accept the token; written before the answer says success.
  const revoke = (session: Session) => deps.revocations.revoke(session.id, session.expiresAt + SESSION_CLOCK_TOLERANCE_SECONDS);
  return {
    async open(ctx, shopper, notAfter) {
      if (ctx.session) await revoke(ctx.session);
      const { token, session } = await deps.tokens.issue(shopper, notAfter);
      ctx.responseCookies.push(sessionCookie(deps.cookie, token, session.expiresAt - Math.floor(deps.now() / 1000)));
      ctx.session = session;
      ctx.shopper = shopper;
      deps.log('session opened', { customerId: shopper.customerId, correlationId: ctx.correlationId });
      return token;
    },
    async endAllOf(customerId) {
      const nowSeconds = Math.floor(deps.now() / 1000);
      await deps.revocations.revokeCustomer(customerId, nowSeconds, nowSeconds + deps.ttlSeconds + SESSION_CLOCK_TOLERANCE_SECONDS);
    },
    async end(ctx) {
      if (ctx.session) await revoke(ctx.session);
      ctx.responseCookies.push(clearedSessionCookie(deps.cookie));
      ctx.session = null;
      ctx.shopper = null;
    },
  };
}
