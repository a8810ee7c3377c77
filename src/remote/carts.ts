import { gatewayError } from '../errors';
import type { RestClient } from './rest-client';
import type { UpstreamCaller } from './upstream-budget';

export interface CartRedirectUrls {
  cartUrl: string;
  checkoutUrl: string;
  embeddedCheckoutUrl: string;
}

/** `POST /v3/carts/{id}/redirect_urls`: the hosted cart/checkout URLs of a cart. */
export async function cartRedirectUrls(rest: RestClient, cartId: string, caller?: UpstreamCaller): Promise<CartRedirectUrls> {
  const response = await rest.request<{ data?: { cart_url?: string; checkout_url?: string; embedded_checkout_url?: string } }>({
    method: 'POST',
    path: `/v3/carts/${encodeURIComponent(cartId)}/redirect_urls`,
    caller,
    accept: [404],
    priority: 'essential',
  });
  if (response.status === 404) throw gatewayError('NOT_FOUND', 'Cart not found');
  const data = response.body?.data;
  if (!data?.cart_url || !data.checkout_url || !data.embedded_checkout_url) {
    throw gatewayError('UPSTREAM_ERROR', 'BigCommerce REST API returned incomplete cart redirect URLs');
  }
  return { cartUrl: data.cart_url, checkoutUrl: data.checkout_url, embeddedCheckoutUrl: data.embedded_checkout_url };
}
