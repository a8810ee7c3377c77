import type { Executor } from '@graphql-tools/utils';
import type { GatewayContext } from '../context';
import { gatewayError } from '../errors';
import { CUSTOMER_PROFILE, runStorefront, type CustomerProfile, type UpstreamLoginResult } from '../remote/storefront-operations';
import type { Shopper } from './session-token';

/** The profile a session keeps, read from the storefront as that customer (impersonation mode). */
export async function customerProfile(executor: Executor, ctx: GatewayContext, shopper: Shopper): Promise<Shopper> {
  const { customer } = await runStorefront<{ customer: CustomerProfile | null }>(executor, CUSTOMER_PROFILE, { ...ctx, shopper });
  if (!customer) throw gatewayError('UPSTREAM_ERROR', 'Storefront API did not recognise the customer');
  return { ...shopper, customerId: customer.entityId, email: customer.email, customerGroupId: customer.customerGroupId };
}

/** The gateway session must not outlive the upstream token it carries. */
function catExpiry(expiresAt: string): number {
  const expiresMs = Date.parse(expiresAt);
  return Number.isFinite(expiresMs) ? Math.floor(expiresMs / 1000) : Number.MAX_SAFE_INTEGER;
}

/** The shopper an upstream login identified, carrying its customer access token; null when it identified none. */
export function shopperWithAccessToken(login: UpstreamLoginResult): { shopper: Shopper; notAfter: number } | null {
  if (!login.customer || !login.customerAccessToken) return null;
  return {
    shopper: {
      customerId: login.customer.entityId,
      email: login.customer.email,
      customerGroupId: login.customer.customerGroupId,
      customerAccessToken: login.customerAccessToken.value,
    },
    notAfter: catExpiry(login.customerAccessToken.expiresAt),
  };
}
