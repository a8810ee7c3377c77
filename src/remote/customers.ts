import { gatewayError } from '../errors';
import type { RestClient } from './rest-client';
import type { UpstreamCaller } from './upstream-budget';

/** `POST /v3/customers/validate-credentials` (developer.bigcommerce.com/docs/rest-management/customers#validate-a-customer-credentials). Returns the customer id, or null for wrong credentials. */
export async function validateCredentials(
  rest: RestClient,
  input: { email: string; password: string; channelId: number; caller?: UpstreamCaller },
): Promise<number | null> {
  const response = await rest.request<{ is_valid?: boolean; customer_id?: number | null }>({
    method: 'POST',
    path: '/v3/customers/validate-credentials',
    body: { email: input.email, password: input.password, channel_id: input.channelId },
    caller: input.caller,
    accept: [422],
    priority: 'login',
  });
  if (response.status === 422) throw gatewayError('BAD_USER_INPUT', 'Email and password are required');
  const { is_valid: isValid, customer_id: customerId } = response.body ?? {};
  return isValid === true && typeof customerId === 'number' ? customerId : null;
}
