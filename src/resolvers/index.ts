import { getNamedType, isNonNullType, isObjectType, type GraphQLSchema } from 'graphql';
import { createCurrentCustomerResolvers } from './current-customer';
import type { ResolverDeps } from './deps';
import { createPricingResolvers } from './pricing';
import { createSessionResolvers } from './session';
import { createSsoResolvers } from './sso';

/**
 * Every resolver map of the gateway's own fields, by domain: sessions (login, logout), SSO (login URLs,
 * sessions from Current Customer JWTs), current customer, pricing. Built once per gateway; the guards below
 * follow the schema.
 */
export function createResolvers(deps: ResolverDeps) {
  return [createSessionResolvers(deps), createSsoResolvers(deps), createCurrentCustomerResolvers(deps), createPricingResolvers(deps)];
}

/**
 * A customer access token never reaches a client: every storefront field of type CustomerAccessToken
 * (login results, session-sync JWT contents, whatever a store's schema adds) resolves to null. Being
 * gateway resolvers, they also keep operations that select them off the pass-through path.
 */
export function customerAccessTokenGuards(storefrontSchema: GraphQLSchema): Record<string, Record<string, { resolve: () => null }>> {
  const guards: Record<string, Record<string, { resolve: () => null }>> = {};
  for (const type of Object.values(storefrontSchema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (getNamedType(field.type).name !== 'CustomerAccessToken') continue;
      // A non-null one cannot be blanked; none exists in BigCommerce's schema, and such a schema fails loudly here.
      if (isNonNullType(field.type)) throw new Error(`${type.name}.${field.name} is a non-null CustomerAccessToken: it cannot be withheld`);
      guards[type.name] = { ...guards[type.name], [field.name]: { resolve: () => null } };
    }
  }
  return guards;
}
