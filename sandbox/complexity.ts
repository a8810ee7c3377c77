// The sandbox's own query complexity score, reported as BigCommerce reports its score: in the response header
// `X-Bc-Graphql-Complexity`, with requests above 10,000 refused before execution
// (developer.bigcommerce.com/docs/storefront/graphql, "Complexity limits"; the header is listed in
// developer.bigcommerce.com/docs/start/about, "GraphQL-specific response headers").
//
// BigCommerce documents the limit, that nested collections multiply, that `first` defaults to 10, and that filter
// arguments do not add to the score while `pageInfo` does; it does not publish its weights. The sandbox's weights,
// deterministic and deliberately simple:
//   - every selected field costs 1 (`__typename` and `pageInfo` included; arguments cost nothing);
//   - a connection field (one with a `first` or `last` argument) multiplies the cost of what it selects by its
//     `first` (else `last`, else 10);
//   - any other field adds the cost of what it selects once.
// So `products(first: 50) { edges { node { entityId } } }` scores 1 + 50 × (1 + 1 + 1) = 151. Fragments count as
// if written inline; every branch of an abstract selection counts. Mutations are weighted like queries.
import {
  getNamedType,
  getVariableValues,
  GraphQLInt,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** BigCommerce's limit: 10,000 per request. */
export const COMPLEXITY_LIMIT = 10_000;
/** Items a connection is counted for when neither `first` nor `last` is given (BigCommerce returns 10). */
export const DEFAULT_CONNECTION_SIZE = 10;

/** The error message BigCommerce answers an over-limit request with (HTTP 200, no `data`). */
export function tooComplexMessage(score: number): string {
  return `The query is too complex as it has a complexity score of ${score} out of ${COMPLEXITY_LIMIT}. Please remove some elements and try again`;
}

// Scores are kept integers that fit a header: a hostile `first: 2147483647` nested 16 deep would overflow.
const cap = (n: number): number => Math.min(n, Number.MAX_SAFE_INTEGER);

type Variables = Record<string, unknown>;

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

function multiplier(definition: GraphQLField<unknown, unknown>, node: FieldNode, variables: Variables): number {
  if (!definition.args.some((a) => a.name === 'first' || a.name === 'last')) return 1;
  for (const name of ['first', 'last']) {
    const argument = node.arguments?.find((a) => a.name.value === name);
    if (!argument) continue;
    const value: unknown = valueFromAST(argument.value, GraphQLInt, variables);
    if (typeof value === 'number') return Math.max(0, value);
  }
  return DEFAULT_CONNECTION_SIZE;
}

class Scorer {
  private readonly fragmentCosts = new Map<string, number>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variables: Variables,
  ) {}

  selectionSet(parent: GraphQLCompositeType, set: SelectionSetNode): number {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const definition = fieldDefinition(this.schema, parent, selection.name.value);
        let children = 0;
        if (definition && selection.selectionSet) {
          const type = getNamedType(definition.type);
          if (isCompositeType(type)) children = this.selectionSet(type, selection.selectionSet);
        }
        const factor = definition ? multiplier(definition, selection, this.variables) : 1;
        total = cap(total + 1 + cap(factor * children));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
        total = cap(total + this.selectionSet(condition && isCompositeType(condition) ? condition : parent, selection.selectionSet));
      } else {
        total = cap(total + this.fragment(selection.name.value, parent));
      }
    }
    return total;
  }

  /** A fragment's cost does not depend on where it is spread: computed once (reuse cannot blow up the walk). */
  private fragment(name: string, parent: GraphQLCompositeType): number {
    const known = this.fragmentCosts.get(name);
    if (known !== undefined) return known;
    const definition = this.fragments.get(name);
    if (!definition) return 0;
    const condition = this.schema.getType(definition.typeCondition.name.value);
    const cost = this.selectionSet(condition && isCompositeType(condition) ? condition : parent, definition.selectionSet);
    this.fragmentCosts.set(name, cost);
    return cost;
  }
}

/**
 * Score of one operation of a validated document, or null when its variables do not coerce (execution then
 * reports that error, as for any invalid request, without a score).
 */
export function complexityScore(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, inputs: Variables): number | null {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], inputs);
  if (coerced.errors) return null;
  const root = schema.getRootType(operation.operation);
  if (!root) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return new Scorer(schema, fragments, coerced.coerced).selectionSet(root, operation.selectionSet);
}
