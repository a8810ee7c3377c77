// GET /customer/current.jwt?app_client_id=…: the Current Customer API (developer.bigcommerce.com/docs/start/authentication/current-customer). With a storefront session it
// answers an HS256 JWT signed with the client secret; a guest gets 404; an unknown app_client_id gets 400.
import type { ServerResponse } from 'node:http';
import { SignJWT } from 'jose';
import type { Catalog } from './catalog';
import { sendText } from './http-util';
import type { StorefrontSession } from './state';

/** "Current customer tokens are valid for 15 minutes." */
export const CURRENT_CUSTOMER_TTL_SECONDS = 900;

export interface CurrentCustomerDeps {
  catalog: Catalog;
  storeHash: string;
  clientId: string;
  clientSecret: string;
  now: () => number;
}

export function createCurrentCustomerHandler(deps: CurrentCustomerDeps) {
  return async function handleCurrentCustomer(res: ServerResponse, appClientId: string | null, session: StorefrontSession | null): Promise<void> {
    if (appClientId === null || appClientId !== deps.clientId) {
      sendText(res, 400, 'Unknown app_client_id.', 'text/plain; charset=utf-8');
      return;
    }
    const customer = session ? deps.catalog.customers.get(session.customerId) : undefined;
    if (!customer) {
      sendText(res, 404, 'Not Found', 'text/plain; charset=utf-8');
      return;
    }
    const iat = Math.floor(deps.now() / 1000);
    const jwt = await new SignJWT({
      customer: { id: customer.id, email: customer.email, group_id: String(customer.customerGroupId) },
      iss: 'bc/apps',
      sub: deps.storeHash,
      iat,
      exp: iat + CURRENT_CUSTOMER_TTL_SECONDS,
      version: 1,
      aud: deps.clientId,
      application_id: deps.clientId,
      store_hash: deps.storeHash,
      operation: 'current_customer',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(deps.clientSecret));
    sendText(res, 200, jwt, 'text/plain; charset=utf-8', { 'Cache-Control': 'no-store' });
  };
}
