import type { GraphQLSchema } from 'graphql';
import { createCurrentCustomerTypeResolvers } from './current-customer';
import type { ResolverDeps } from './deps';
import { createPricingResolvers } from './pricing';
import { createSessionResolvers } from './session';
import { createSsoResolvers } from './sso';

/** Every resolver map of the gateway's own fields, plus guards on storefront types. */
export function createResolvers(deps: ResolverDeps, storefrontSchema: GraphQLSchema) {
  const guards: Record<string, Record<string, unknown>> = {};
  // Any storefront result that can carry a customer access token has it blanked: a CAT never reaches a client.
  if (storefrontSchema.getType('LoginWithCustomerLoginJwtResult')) {
    guards.LoginWithCustomerLoginJwtResult = { customerAccessToken: { resolve: () => null } };
  }
  return [createSessionResolvers(deps), createSsoResolvers(deps), createPricingResolvers(deps), createCurrentCustomerTypeResolvers(deps), guards];
}
