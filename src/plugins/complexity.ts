import { getNamedType, GraphQLObjectType, Kind, type DocumentNode, type GraphQLOutputType, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../errors';
import { documentMemo } from './document-memo';

const MAX_SCORES_PER_DOCUMENT = 256;

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
  // Scores are memoised per schema and document, and per variables for documents that declare any.
  const scoresOf = documentMemo((_schema, document) => ({
    hasVariables: document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && (d.variableDefinitions?.length ?? 0) > 0),
    scores: new Map<string, number>(),
  }));
  const score = (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string): number => {
    const { hasVariables, scores } = scoresOf(schema, document);
    const key = `${operationName ?? ''}|${hasVariables ? JSON.stringify(variables) : ''}`;
    let value = scores.get(key);
    if (value === undefined) {
      value = getComplexity({ schema, query: document, variables, operationName, estimators: [storefrontComplexity] });
      if (scores.size >= MAX_SCORES_PER_DOCUMENT) scores.clear();
      scores.set(key, value);
    }
    return value;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const complexity = score(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName ?? undefined);
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
