import type { StoreConfig } from '../config';
import type { GatewayContext } from '../context';

export type UpstreamIdentity = Pick<GatewayContext, 'shopper' | 'clientIp' | 'correlationId' | 'acceptLanguage'>;

/**
 * Headers for a Storefront GraphQL request, built only from server-side credentials and the
 * verified identity — never copied from the inbound request (README, "Security").
 */
export function storefrontHeaders(store: StoreConfig, identity: UpstreamIdentity | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${store.storefrontToken}`,
    accept: 'application/json',
    'user-agent': 'storefront-gateway',
  };
  if (!identity) return headers;
  headers['x-correlation-id'] = identity.correlationId;
  if (identity.acceptLanguage) headers['accept-language'] = identity.acceptLanguage;
  if (store.trustedProxySecret && identity.clientIp) {
    headers['x-bc-trusted-proxy-secret'] = store.trustedProxySecret;
    headers['true-client-ip'] = identity.clientIp;
  }
  const shopper = identity.shopper;
  if (shopper) {
    if (store.authMode === 'impersonation') headers['x-bc-customer-id'] = String(shopper.customerId);
    else if (shopper.customerAccessToken) {
      headers['x-bc-customer-access-token'] = shopper.customerAccessToken;
      // Without it BigCommerce may answer an expired or revoked CAT as a guest: a silent downgrade (developer.bigcommerce.com/docs/storefront/graphql, "Customer access tokens"; Catalyst sends it by default).
      headers['x-bc-error-on-invalid-customer-access-token'] = 'true';
    }
  }
  return headers;
}
