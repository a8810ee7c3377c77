import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Executor, ExecutionResult } from '@graphql-tools/utils';
import type { Shopper } from '../auth/session-token';
import { CUSTOMER_PROFILE, type CustomerProfile } from '../remote/storefront-operations';
import type { UpstreamIdentity } from '../remote/storefront-headers';
import type { CacheStore, RevocationStore } from '../state/types';

/** BigCommerce's code for a dead customer access token (developer.bigcommerce.com/docs/start/authentication/customer-access-tokens). */
export const INVALID_CAT_CODE = 'INVALID_CUSTOMER_ACCESS_TOKEN';

export type TokenIdentity =
  | { kind: 'shopper'; shopper: Shopper }
  /** BigCommerce refused the token: its own errors, to answer verbatim. */
  | { kind: 'invalid'; errors: GraphQLError[] };

export interface CustomerTokenIdentity {
  /** Who a customer access token names, as BigCommerce says (remembered for a bounded time by the token's hash). */
  resolve(token: string, caller: Omit<UpstreamIdentity, 'shopper'> & { channelId: number }): Promise<TokenIdentity>;
  /** Logout: the next request with this token asks BigCommerce again (which has ended it too). */
  forget(token: string): Promise<void>;
}

interface Remembered {
  customerId: number;
  email: string;
  customerGroupId: number;
  /** Unix seconds it was learnt: a customer change after it (a group move, deletion) makes it stale. */
  learnedAt: number;
}

const FORGOTTEN = 'forgotten';

/**
 * The front door's shopper: BigCommerce alone knows whom a customer access token names. It is asked once per
 * token and memory period; the answer is kept in the shared cache store under a hash (a token never lands in
 * Redis), and is stale once its customer's sessions were ended by a customer webhook (group change, deletion).
 */
export function createCustomerTokenIdentity(deps: {
  executor: Executor;
  cache: CacheStore;
  revocations: RevocationStore;
  /** Unix seconds since which shared state is complete (GatewayStores.stateSince): a logout before it may be lost. */
  stateSince: () => Promise<number>;
  storeHash: string;
  memorySeconds: number;
  now: () => number;
}): CustomerTokenIdentity {
  const keyOf = (token: string) => `cat-identity:v1:${createHash('sha256').update(deps.storeHash).update('\0').update(token).digest('base64url')}`;
  const nowSeconds = () => Math.floor(deps.now() / 1000);

  const remembered = async (key: string): Promise<Remembered | undefined> => {
    const text = await deps.cache.get(key).catch(() => undefined);
    if (text === undefined || text === FORGOTTEN) return undefined;
    const entry = JSON.parse(text) as Remembered;
    // Learnt before a customer change, or before state that may have lost a logout's tombstone: ask again.
    const [changedAt, since] = await Promise.all([deps.revocations.customerRevokedAt(entry.customerId), deps.stateSince()]);
    return (changedAt !== undefined && entry.learnedAt <= changedAt) || entry.learnedAt < since ? undefined : entry;
  };

  return {
    async resolve(token, caller) {
      const key = keyOf(token);
      const known = await remembered(key);
      if (known) return { kind: 'shopper', shopper: { customerId: known.customerId, email: known.email, customerGroupId: known.customerGroupId, customerAccessToken: token } };
      const learnedAt = nowSeconds();
      // The upstream headers carry the token when the shopper has one; the ids are unknown until BigCommerce answers.
      const asking: Shopper = { customerId: 0, email: '', customerGroupId: 0, customerAccessToken: token };
      const result = (await deps.executor({ document: CUSTOMER_PROFILE, variables: {}, context: { ...caller, shopper: asking } })) as ExecutionResult<{
        customer: CustomerProfile | null;
      }>;
      const refused = result.errors?.filter((error) => error.extensions?.code === INVALID_CAT_CODE) ?? [];
      if (refused.length > 0) return { kind: 'invalid', errors: refused as GraphQLError[] };
      if (result.errors?.length) throw result.errors[0];
      const customer = result.data?.customer;
      if (!customer) {
        return { kind: 'invalid', errors: [new GraphQLError('Invalid customer access token.', { extensions: { code: INVALID_CAT_CODE } })] };
      }
      const entry: Remembered = { customerId: customer.entityId, email: customer.email, customerGroupId: customer.customerGroupId, learnedAt };
      await deps.cache.set(key, JSON.stringify(entry), deps.memorySeconds * 1000).catch(() => undefined);
      return { kind: 'shopper', shopper: { customerId: entry.customerId, email: entry.email, customerGroupId: entry.customerGroupId, customerAccessToken: token } };
    },
    async forget(token) {
      await deps.cache.set(keyOf(token), FORGOTTEN, deps.memorySeconds * 1000);
    },
  };
}
