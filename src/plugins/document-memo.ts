import type { DocumentNode, GraphQLSchema } from 'graphql';

/**
 * Memoises something about a parsed document for one schema. Yoga's parse cache hands out the same
 * DocumentNode for the same query text, so repeated operations cost one lookup; both keys are weak, so a
 * replaced schema or an evicted document takes its entries with it.
 */
export function documentMemo<T>(compute: (schema: GraphQLSchema, document: DocumentNode) => T) {
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, T>>();
  return (schema: GraphQLSchema, document: DocumentNode): T => {
    let byDocument = bySchema.get(schema);
    if (!byDocument) bySchema.set(schema, (byDocument = new WeakMap()));
    let value = byDocument.get(document);
    if (value === undefined) {
      value = compute(schema, document);
      byDocument.set(document, value);
    }
    return value;
  };
}
