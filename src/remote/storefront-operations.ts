import type { Executor, ExecutionResult } from '@graphql-tools/utils';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import type { UpstreamIdentity } from './storefront-headers';

/** Operations the gateway itself sends to the Storefront API (outside of delegation). */
export const CUSTOMER_PROFILE = parse(/* GraphQL */ `
  query GatewayCustomerProfile {
    customer { entityId email customerGroupId }
  }
`);

export const CUSTOMER_LOGIN = parse(/* GraphQL */ `
  mutation GatewayLogin($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      customer { entityId email customerGroupId }
      customerAccessToken { value expiresAt }
    }
  }
`);

export const CUSTOMER_LOGOUT = parse(/* GraphQL */ `
  mutation GatewayLogout {
    logout { result }
  }
`);

export interface CustomerProfile {
  entityId: number;
  email: string;
  customerGroupId: number;
}

/** What the storefront's `login` and `loginWithCustomerLoginJwt` give the gateway. */
export interface UpstreamLoginResult {
  customer: CustomerProfile | null;
  customerAccessToken: { value: string; expiresAt: string } | null;
}

/** Upstream GraphQL errors keep their message and `extensions.code` (storefront clients match on them). */
function upstreamError(error: { message: string; extensions?: Record<string, unknown> }): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const code = error.extensions?.code;
  return new GraphQLError(error.message, { extensions: typeof code === 'string' ? { code } : {} });
}

export async function runStorefront<T>(
  executor: Executor,
  document: DocumentNode,
  identity: UpstreamIdentity,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const result = (await executor({ document, variables, context: identity })) as ExecutionResult<T>;
  if (result.errors?.length) throw upstreamError(result.errors[0]);
  if (!result.data) throw new GraphQLError('Storefront API returned no data', { extensions: { code: 'UPSTREAM_ERROR' } });
  return result.data;
}

export const CUSTOMER_LOGIN_WITH_JWT = parse(/* GraphQL */ `
  mutation GatewayLoginWithCustomerLoginJwt($jwt: String!) {
    loginWithCustomerLoginJwt(jwt: $jwt) {
      customer { entityId email customerGroupId }
      customerAccessToken { value expiresAt }
    }
  }
`);

/** The storefront answers a cart only to its owner (or a guest cart to anyone holding its id). */
export const SHOPPER_CART = parse(/* GraphQL */ `
  query GatewayShopperCart($entityId: String!) {
    site { cart(entityId: $entityId) { entityId } }
  }
`);
