import type { AuthMode } from '../config';
import type { RestClient } from './rest-client';

/**
 * Creates the server-side storefront token the gateway uses (developer.bigcommerce.com/docs/rest-authentication/tokens): a customer impersonation
 * token for impersonation mode, a private token (Unauthenticated + Customer scopes) otherwise.
 * Used in sandbox mode, where no token was configured.
 */
export async function createStorefrontToken(
  rest: RestClient,
  input: { authMode: AuthMode; channelIds: number[]; expiresAt: number },
): Promise<string> {
  // BigCommerce takes exactly one of the two (developer.bigcommerce.com/docs/rest-authentication/tokens).
  const channels = input.channelIds.length === 1 ? { channel_id: input.channelIds[0] } : { channel_ids: input.channelIds };
  const response =
    input.authMode === 'impersonation'
      ? await rest.request<{ data: { token: string } }>({
          method: 'POST',
          path: '/v3/storefront/api-token-customer-impersonation',
          priority: 'essential',
          body: { ...channels, expires_at: input.expiresAt },
        })
      : await rest.request<{ data: { token: string } }>({
          method: 'POST',
          path: '/v3/storefront/api-token-private',
          priority: 'essential',
          body: { ...channels, expires_at: input.expiresAt, scopes: ['Unauthenticated', 'Customer'] },
        });
  return response.body.data.token;
}
