import { getNamedType, GraphQLObjectType, type GraphQLOutputType } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../errors';

/** BigCommerce returns 10 items when a connection's `first` is omitted (FACTS.md §1.5). */
const DEFAULT_PAGE_SIZE = 10;

function isConnection(type: GraphQLOutputType): boolean {
  const named = getNamedType(type);
  return named instanceof GraphQLObjectType && named.name.endsWith('Connection') && 'edges' in named.getFields();
}

/**
 * An estimate of BigCommerce's complexity score: every field costs 1, and a paginated field multiplies
 * the cost of what it selects by its page size — so `products(first: 50) { … }` costs 50× its node.
 */
export const storefrontComplexity: ComplexityEstimator = ({ args, childComplexity, field }) => {
  const pageSize = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : undefined;
  if (pageSize !== undefined) return 1 + childComplexity * Math.max(1, pageSize);
  if (isConnection(field.type)) return 1 + childComplexity * DEFAULT_PAGE_SIZE;
  return 1 + childComplexity;
};

/**
 * Refuses operations whose estimated complexity exceeds `maxCost` before anything runs. Computed at
 * execution (not as a cached validation rule) because page sizes often come from variables.
 */
export function complexityLimitPlugin(maxCost: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const complexity = getComplexity({
        schema: args.schema,
        query: args.document,
        variables: (args.variableValues ?? {}) as Record<string, unknown>,
        operationName: args.operationName ?? undefined,
        estimators: [storefrontComplexity],
      });
      if (complexity > maxCost) {
        setResultAndStopExecution({
          errors: [
            gatewayError('BAD_USER_INPUT', `The query is too complex: complexity ${complexity} exceeds the limit of ${maxCost}`, {
              reason: 'MAX_COMPLEXITY',
              complexity,
              maxComplexity: maxCost,
            }),
          ],
        });
      }
    },
  };
}
