import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { OperationLimits } from '../config';
import { hideSuggestionsPlugin } from '../error-masking';
import { documentLimitsPlugin } from './document-limits';
import { selectionLimitsPlugin } from './selection-limits';

/** Armor's own errors carry no code; report them with the gateway's, naming the limit that was hit. */
function reportWithCode(reason: string) {
  return [
    (context: ValidationContext | null, error: GraphQLError): void => {
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'BAD_USER_INPUT', reason } }));
    },
  ];
}

/**
 * Deepest nesting accepted in `variables` and `extensions`. Storefront input types nest a few levels
 * (input objects in lists of input objects); JSON.stringify, structured logging and cache keys recurse,
 * and a 10,000-level value exhausts the stack in them (a RangeError, an internal error) wherever it lands.
 */
export const MAX_VARIABLES_DEPTH = 32;

/** Depth of a JSON value, without recursion (the value may be deeper than the stack); stops past `limit`. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Refuses deeply nested `variables`/`extensions` as soon as the request is parsed, before anything walks them. */
function variablesDepthPlugin(limit: number): Plugin {
  return {
    onParams({ params }) {
      if (jsonDepthExceeds(params.variables, limit) || jsonDepthExceeds(params.extensions, limit)) {
        throw new GraphQLError(`"variables" and "extensions" may nest at most ${limit} levels deep`, {
          extensions: { code: 'BAD_USER_INPUT', reason: 'MAX_VARIABLES_DEPTH', http: { status: 400 } },
        });
      }
    },
  };
}

/**
 * Limits that protect the gateway itself, enforced while parsing and validating — before any upstream call.
 * GraphQL Armor counts tokens, depth and aliases; selection-limits.ts counts field selections, so validation's
 * own cost is bounded before validation runs (it comes first: a refused document skips validation). There is deliberately no complexity limit: BigCommerce
 * publishes no weights for its score and enforces its own (reported in `X-Bc-Graphql-Complexity`), so a
 * locally guessed score could only refuse storefront operations BigCommerce would serve.
 */
export function operationLimitPlugins(
  limits: OperationLimits,
  options: {
    /** Callers who may introspect even with GATEWAY_INTROSPECTION off (storefront servers, as BigCommerce allows them). */
    introspectionAllowed?: (request: Request) => boolean;
  } = {},
): Plugin[] {
  const plugins: Plugin[] = [
    variablesDepthPlugin(MAX_VARIABLES_DEPTH),
    selectionLimitsPlugin({ maxSelections: limits.maxSelections, maxSelectionsPerSet: limits.maxSelectionsPerSet, maxFieldMerges: limits.maxFieldMerges }),
    maxTokensPlugin({ n: limits.maxTokens }) as Plugin,
    // After the token limit: it wraps the parse function installed there, and checks nesting before it runs.
    documentLimitsPlugin({ maxTokens: limits.maxTokens, maxDepth: limits.maxDepth }),
    maxDepthPlugin({
      n: limits.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: reportWithCode('MAX_DEPTH'),
    }) as Plugin,
    // __typename aliases count too (armor lets them through by default): they still cost a response.
    maxAliasesPlugin({ n: limits.maxAliases, allowList: [], propagateOnRejection: false, onReject: reportWithCode('MAX_ALIASES') }) as Plugin,
  ];
  // Armor hides suggestions in validation; hideSuggestionsPlugin also in variable coercion and upstream errors.
  if (!limits.fieldSuggestions) plugins.push(blockFieldSuggestionsPlugin() as Plugin, hideSuggestionsPlugin());
  const allowed = options.introspectionAllowed ?? (() => false);
  if (!limits.introspection) plugins.push(useDisableIntrospection({ isDisabled: (request) => !allowed(request) }));
  return plugins;
}
