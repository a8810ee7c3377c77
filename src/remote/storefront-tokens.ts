import type { AuthMode } from '../config';
import type { RestClient } from './rest-client';

/**
 * Creates the server-side storefront token the gateway uses (developer.bigcommerce.com/docs/rest-authentication/tokens): a customer impersonation
 * token for impersonation mode, a private token (Unauthenticated + Customer scopes) otherwise.
 * Used in sandbox mode, where no token was configured.
 */
export async function createStorefrontToken(
  rest: RestClient,
  input: { authMode: AuthMode; channelId: number; expiresAt: number },
): Promise<string> {
  const response =
    input.authMode === 'impersonation'
      ? await rest.request<{ data: { token: string } }>({
          method: 'POST',
          path: '/v3/storefront/api-token-customer-impersonation',
          priority: 'essential',
          body: { channel_id: input.channelId, expires_at: input.expiresAt },
        })
      : await rest.request<{ data: { token: string } }>({
          method: 'POST',
          path: '/v3/storefront/api-token-private',
          priority: 'essential',
          body: { channel_id: input.channelId, expires_at: input.expiresAt, scopes: ['Unauthenticated', 'Customer'] },
        });
  return response.body.data.token;
}
