import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { OperationLimits } from '../config';

/** Armor's own errors carry no code; report them with the gateway's, naming the limit that was hit. */
function reportWithCode(reason: string) {
  return [
    (context: ValidationContext | null, error: GraphQLError): void => {
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'BAD_USER_INPUT', reason } }));
    },
  ];
}

/**
 * Limits that protect the gateway itself, enforced while parsing and validating — before any upstream call.
 * GraphQL Armor counts tokens, depth and aliases. There is deliberately no complexity limit: BigCommerce
 * publishes no weights for its score and enforces its own (reported in `X-Bc-Graphql-Complexity`), so a
 * locally guessed score could only refuse storefront operations BigCommerce would serve.
 */
export function operationLimitPlugins(limits: OperationLimits): Plugin[] {
  const plugins: Plugin[] = [
    maxTokensPlugin({ n: limits.maxTokens }) as Plugin,
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
  if (!limits.fieldSuggestions) plugins.push(blockFieldSuggestionsPlugin() as Plugin);
  if (!limits.introspection) plugins.push(useDisableIntrospection());
  return plugins;
}
