import { createHash } from 'node:crypto';

/**
 * Remembers tokens that were spent until they expire, so a token that opens a session works once:
 * a leaked Current Customer JWT cannot be turned into more sessions. In memory (per gateway instance).
 */
export function createReplayGuard(now: () => number) {
  const spent = new Map<string, number>();
  return {
    /** True the first time a token is claimed; false if it was claimed before. */
    claim(token: string, expiresAtSeconds: number): boolean {
      const nowSeconds = Math.floor(now() / 1000);
      for (const [key, expiresAt] of spent) if (expiresAt < nowSeconds) spent.delete(key);
      const key = createHash('sha256').update(token).digest('base64url');
      if (spent.has(key)) return false;
      spent.set(key, expiresAtSeconds);
      return true;
    },
  };
}
