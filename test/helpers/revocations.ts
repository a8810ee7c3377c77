import type { SessionRevocation } from '../../src/state/types';

/** A session of customer `customerId` (default 7), as the revocation store sees it. */
export const sessionRef = (sessionId: string, customerId = 7) => ({ sessionId, customerId });

/** Ending that session: issued `issuedAt` (default an hour before it expires), a cutoff kept until it expires. */
export function revocationOf(sessionId: string, expiresAt: number, options: { customerId?: number; issuedAt?: number; cutoffUntil?: number } = {}): SessionRevocation {
  return {
    sessionId,
    customerId: options.customerId ?? 7,
    issuedAt: options.issuedAt ?? Math.floor(expiresAt) - 3600,
    expiresAt,
    cutoffUntil: options.cutoffUntil ?? expiresAt,
  };
}
