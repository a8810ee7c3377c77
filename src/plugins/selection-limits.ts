import { GraphQLError, Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface SelectionLimits {
  /** Field selections in the whole document, each fragment counted every time it is spread. */
  maxSelections: number;
  /** Field selections merged into one selection set (its own, its inline fragments', its spread fragments'). */
  maxSelectionsPerSet: number;
  /** Pairs of selections of the same response name at the same place, which field merging compares. */
  maxFieldMerges: number;
}

export interface SelectionCounts {
  /** Field selections with fragments expanded where spread; past the budget the count stops (`truncated`). */
  total: number;
  truncated: boolean;
  /** The most fields merged into one selection set. */
  largestSet: number;
  /** Σ over response paths of n·(n−1)/2, n = selections sharing that path. */
  fieldMerges: number;
}

/**
 * Counts field selections on the parsed document in one walk with fragments expanded where spread (inline
 * fragments and spreads merge into the enclosing set, as field merging sees them). A spread of a fragment
 * already being expanded on the current path (a cycle, refused later by validation) or of an unknown fragment
 * adds nothing. The walk stops once `budget` fields are seen, so its cost is bounded by the budget however
 * large the expansion (fragments spreading fragments grow exponentially). Fragments no operation spreads are
 * walked on their own: validation walks them too.
 *
 * `fieldMerges` estimates graphql-js's OverlappingFieldsCanBeMerged work: it compares every two selections
 * that share a response name in one selection set, and recursively their sub-selections — so the pairs of
 * selections that share a whole response path (`site.products.edges.node.name`) are what it costs.
 */
export function countSelections(document: DocumentNode, budget = Number.POSITIVE_INFINITY): SelectionCounts {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const spread = new Set<string>();
  const pathIds = new Map<string, number>();
  const pathCounts: number[] = [];
  let total = 0;
  let largestSet = 0;
  let truncated = false;

  /** The fields of a selection set as field merging sees them: through inline fragments and spreads. */
  function collectFields(selectionSet: SelectionSetNode, into: FieldNode[], expanding: Set<string>): void {
    for (const selection of selectionSet.selections) {
      if (into.length + total > budget) return;
      if (selection.kind === Kind.FIELD) into.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collectFields(selection.selectionSet, into, expanding);
      else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        spread.add(name);
        if (!fragment || expanding.has(name)) continue;
        expanding.add(name);
        collectFields(fragment.selectionSet, into, expanding);
        expanding.delete(name);
      }
    }
  }

  function walk(selectionSet: SelectionSetNode, pathId: number, expanding: Set<string>): void {
    const fields: FieldNode[] = [];
    collectFields(selectionSet, fields, expanding);
    largestSet = Math.max(largestSet, fields.length);
    for (const field of fields) {
      if (++total > budget) {
        truncated = true;
        return;
      }
      const key = `${pathId}:${field.alias?.value ?? field.name.value}`;
      let id = pathIds.get(key);
      if (id === undefined) {
        id = pathCounts.length;
        pathIds.set(key, id);
        pathCounts.push(0);
      }
      pathCounts[id] += 1;
      if (field.selectionSet) walk(field.selectionSet, id, expanding);
      if (truncated) return;
    }
  }

  // Each root (operation or unspread fragment) gets its own path namespace: -1, -2, …
  let root = -1;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && !truncated) walk(definition.selectionSet, root--, new Set());
  }
  for (const [name, fragment] of fragments) {
    if (!spread.has(name) && !truncated) walk(fragment.selectionSet, root--, new Set([name]));
  }
  const fieldMerges = pathCounts.reduce((sum, n) => sum + (n * (n - 1)) / 2, 0);
  return { total, truncated, largestSet, fieldMerges };
}

function refusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', reason: 'MAX_SELECTIONS' } });
}

type Verdict = SelectionCounts | 'too-deep';

/** The errors for a document over the limits; empty when it is within them. */
export function selectionLimitErrors(counts: Verdict, limits: SelectionLimits): GraphQLError[] {
  // Nesting deep enough to exhaust the stack is far beyond any limit.
  if (counts === 'too-deep') return [refusal('Document is nested too deeply to be accepted')];
  const errors: GraphQLError[] = [];
  if (counts.total > limits.maxSelections) {
    errors.push(refusal(`Document selects more than ${limits.maxSelections} fields (fragments counted where spread); that is the limit`));
  }
  if (counts.largestSet > limits.maxSelectionsPerSet) {
    errors.push(refusal(`A selection set selects ${counts.largestSet} fields; the limit is ${limits.maxSelectionsPerSet}`));
  }
  if (!counts.truncated && counts.fieldMerges > limits.maxFieldMerges) {
    errors.push(
      refusal(`Document repeats the same fields too often: ${counts.fieldMerges} pairs of selections to merge; the limit is ${limits.maxFieldMerges}`),
    );
  }
  return errors;
}

function safeCount(document: DocumentNode, budget: number): Verdict {
  try {
    return countSelections(document, budget);
  } catch (error) {
    if (error instanceof RangeError) return 'too-deep';
    throw error;
  }
}

/**
 * Bounds validation work before it is done. graphql-js's OverlappingFieldsCanBeMerged compares the fields
 * of a selection set pairwise (quadratic, recursing into sub-selections), so 17 KB of one field repeated
 * costs hundreds of milliseconds of CPU to validate — within the token and depth limits. Counting walks at
 * most `maxSelections` fields and runs in `onValidate` before validation: a refused document is answered with
 * BAD_USER_INPUT (reason MAX_SELECTIONS) without being validated, executed or sent upstream.
 * Counts are remembered per parsed document (yoga reuses the parsed document of a repeated query); errors are
 * fresh each time, since later hooks add to their extensions.
 */
export function selectionLimitsPlugin(limits: SelectionLimits): Plugin {
  const verdicts = new WeakMap<DocumentNode, Verdict>();
  return {
    onValidate({ params, setResult }) {
      let verdict = verdicts.get(params.documentAST);
      if (verdict === undefined) {
        verdict = safeCount(params.documentAST, limits.maxSelections);
        verdicts.set(params.documentAST, verdict);
      }
      const errors = selectionLimitErrors(verdict, limits);
      if (errors.length > 0) setResult(errors);
    },
  };
}
