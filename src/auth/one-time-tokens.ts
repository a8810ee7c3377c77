import type { GatewayStores } from '../state/types';

/** What makes a verified token single-use (see the JWT verifiers): its store key, and when it can be forgotten. */
export interface OneTimeToken {
  key: string;
  forgetAtSeconds: number;
  issuedAtSeconds: number;
}

/**
 * Spent means spent on every path that accepts a token: opening a session spends it, and every other use
 * (reading the account it names) asks first. A token issued before the shared state became complete
 * (GatewayStores.stateSince) may have been spent in state that was lost: it counts as spent.
 */
export function createOneTimeTokens(stores: Pick<GatewayStores, 'singleUse' | 'stateSince'>) {
  return {
    /** True for the one caller that spends the token. */
    async spend(token: OneTimeToken): Promise<boolean> {
      if (token.issuedAtSeconds < (await stores.stateSince())) return false;
      return stores.singleUse.claim(token.key, token.forgetAtSeconds);
    },
    async isSpent(token: OneTimeToken): Promise<boolean> {
      if (token.issuedAtSeconds < (await stores.stateSince())) return true;
      return stores.singleUse.isClaimed(token.key);
    },
  };
}
