import { delegateToSchema } from '@graphql-tools/delegate';
import { OperationTypeNode, type GraphQLResolveInfo } from 'graphql';
import type { Shopper } from '../auth/session-token';
import type { GatewayContext } from '../context';
import type { ResolverDeps } from './deps';

/** Resolves a `Customer` field by delegating `Query.customer` to the storefront as `shopper`. */
export function delegateCustomer(deps: ResolverDeps, ctx: GatewayContext, shopper: Shopper, info: GraphQLResolveInfo): unknown {
  return delegateToSchema({
    schema: deps.subschema(),
    operation: OperationTypeNode.QUERY,
    fieldName: 'customer',
    context: { ...ctx, shopper },
    info,
  });
}
