import { GraphQLError, Kind, Lexer, Source, TokenKind, type ASTNode, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Deepest nesting of lists and input objects in a document's literals (arguments, default values) and of list
 * types: as deep as `variables` may nest (MAX_VARIABLES_DEPTH), since both become the same argument values.
 */
export const MAX_LITERAL_DEPTH = 32;

/** Per document. A request executes one; GraphiQL sends the whole editor, a few dozen at most. Each is validated. */
export const MAX_OPERATIONS = 50;

/** Per operation. Storefront operations declare a handful (the corpus at most 6); each costs every validation rule. */
export const MAX_VARIABLE_DEFINITIONS = 100;

/** Per field or directive. No storefront field takes more than a dozen, and a repeated name is invalid anyway. */
export const MAX_ARGUMENTS = 50;

/** Per field, operation, fragment or variable. Executable documents use `@include`/`@skip` and little else. */
export const MAX_DIRECTIVES = 20;

/**
 * Validation stops after this many errors (graphql-js: 100). Each error may cost a "Did you mean" search over every
 * name it could be (781 type names in BigCommerce's schema); twenty errors tell a developer all they need.
 */
export const MAX_VALIDATION_ERRORS = 20;

export interface DocumentLimits {
  /** GATEWAY_MAX_TOKENS: the scan before parsing stops there, as the parser does. */
  maxTokens: number;
  /** GATEWAY_MAX_DEPTH: bounds the nesting of selection sets the scan accepts. */
  maxDepth: number;
}

export interface Nesting {
  /** Lists and input objects nested in one literal or list type (brackets opened inside parentheses). */
  literal: number;
  /** Selection sets nested in one another. */
  selection: number;
}

/**
 * The nesting of a document's brackets from its tokens, without parsing it: graphql-js's parser recurses once per
 * level, so a list literal 2,400 levels deep (within the token limit) exhausts the stack inside `parse`. In an
 * executable document `(` only opens arguments and variable definitions, which hold values and types; so a `[` or
 * `{` inside parentheses is a literal (or a list type) and any other `{` a selection set. Stops after `maxTokens`
 * tokens (the parser refuses more) and at a lexical error (the parser reports it).
 */
export function nestingOf(source: string, maxTokens: number): Nesting {
  const lexer = new Lexer(new Source(source));
  // Per open bracket: whether it is a literal's; plus how many literal / selection brackets are open.
  const open: boolean[] = [];
  let literals = 0;
  let selections = 0;
  let parens = 0;
  const deepest: Nesting = { literal: 0, selection: 0 };
  try {
    for (let count = 0; count < maxTokens; count++) {
      const token = lexer.advance();
      switch (token.kind) {
        case TokenKind.EOF:
          return deepest;
        case TokenKind.PAREN_L:
          parens++;
          break;
        case TokenKind.PAREN_R:
          parens = Math.max(0, parens - 1);
          break;
        case TokenKind.BRACKET_L:
        case TokenKind.BRACE_L: {
          const literal = parens > 0;
          open.push(literal);
          if (literal) deepest.literal = Math.max(deepest.literal, ++literals);
          else deepest.selection = Math.max(deepest.selection, ++selections);
          break;
        }
        case TokenKind.BRACKET_R:
        case TokenKind.BRACE_R: {
          const literal = open.pop();
          if (literal === true) literals--;
          else if (literal === false) selections--;
          break;
        }
        default:
          break;
      }
    }
  } catch {
    // A lexical error: the parser reports it, with its position.
  }
  return deepest;
}

function refusal(message: string, reason: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', reason } });
}

/** How deep selection sets may nest before parsing: twice the field depth limit leaves room for inline fragments. */
export function maxSelectionNesting(maxDepth: number): number {
  return Math.max(64, 2 * maxDepth);
}

/** The refusal for a document nested too deeply to be parsed safely, or undefined. */
export function nestingRefusal(source: string, limits: DocumentLimits): GraphQLError | undefined {
  const nesting = nestingOf(source, limits.maxTokens);
  if (nesting.literal > MAX_LITERAL_DEPTH) {
    return refusal(`Lists and input objects may nest at most ${MAX_LITERAL_DEPTH} levels deep in a document`, 'MAX_LITERAL_DEPTH');
  }
  const selectionLimit = maxSelectionNesting(limits.maxDepth);
  if (nesting.selection > selectionLimit) return refusal(`Selection sets may nest at most ${selectionLimit} levels deep`, 'MAX_DEPTH');
  return undefined;
}

/** Counts what every validation rule walks, per place it occurs; stops at the first count over its limit. */
export function shapeRefusal(document: DocumentNode): GraphQLError | undefined {
  if (document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION).length > MAX_OPERATIONS) {
    return refusal(`A document may hold at most ${MAX_OPERATIONS} operations`, 'MAX_OPERATIONS');
  }
  const stack: ASTNode[] = [document];
  while (stack.length > 0) {
    const node = stack.pop() as ASTNode;
    if (node.kind === Kind.OPERATION_DEFINITION && (node.variableDefinitions?.length ?? 0) > MAX_VARIABLE_DEFINITIONS) {
      return refusal(`An operation may declare at most ${MAX_VARIABLE_DEFINITIONS} variables`, 'MAX_VARIABLES');
    }
    if ((node.kind === Kind.FIELD || node.kind === Kind.DIRECTIVE) && (node.arguments?.length ?? 0) > MAX_ARGUMENTS) {
      return refusal(`A field or directive may take at most ${MAX_ARGUMENTS} arguments`, 'MAX_ARGUMENTS');
    }
    if ('directives' in node && (node.directives?.length ?? 0) > MAX_DIRECTIVES) {
      return refusal(`At most ${MAX_DIRECTIVES} directives may apply to one place`, 'MAX_DIRECTIVES');
    }
    // Only the nodes that can hold variables, arguments or directives are walked (values and types cannot).
    if (node.kind === Kind.DOCUMENT) stack.push(...node.definitions);
    else if (node.kind === Kind.OPERATION_DEFINITION || node.kind === Kind.FRAGMENT_DEFINITION) {
      stack.push(...(node.variableDefinitions ?? []), ...(node.directives ?? []), node.selectionSet);
    } else if (node.kind === Kind.SELECTION_SET) stack.push(...node.selections);
    else if (node.kind === Kind.FIELD || node.kind === Kind.INLINE_FRAGMENT || node.kind === Kind.FRAGMENT_SPREAD || node.kind === Kind.VARIABLE_DEFINITION) {
      stack.push(...(node.directives ?? []));
      if ('selectionSet' in node && node.selectionSet) stack.push(node.selectionSet);
    }
  }
  return undefined;
}

/**
 * Bounds what parsing and validation cost before either runs. Before parsing: the nesting of literals and selection
 * sets, from the tokens (a RangeError from a recursion nobody foresaw is refused the same way, never an internal
 * error). Before validation: variables, arguments and directives per place — each is walked by every one of
 * graphql-js's ~27 rules, so 1,200 unused variables cost ~40 ms to validate within the token limit. During
 * validation: at most MAX_VALIDATION_ERRORS errors. Refusals are
 * BAD_USER_INPUT with the limit as `reason`, counted by the refused-document throttle.
 *
 * List it after the token limit: it wraps the parse function the token limit installs.
 */
export function documentLimitsPlugin(limits: DocumentLimits): Plugin {
  const shapes = new WeakMap<DocumentNode, GraphQLError | null>();
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        const refused = nestingRefusal(typeof source === 'string' ? source : source.body, limits);
        if (refused) throw refused;
        try {
          return parseFn(source, options);
        } catch (error) {
          if (error instanceof RangeError) throw refusal('Document is nested too deeply to be parsed', 'MAX_DEPTH');
          throw error;
        }
      });
    },
    onValidate({ params, setResult, validateFn, setValidationFn }) {
      setValidationFn((schema, document, rules, options, typeInfo) => validateFn(schema, document, rules, { ...options, maxErrors: MAX_VALIDATION_ERRORS }, typeInfo));
      let refused = shapes.get(params.documentAST);
      if (refused === undefined) {
        refused = shapeRefusal(params.documentAST) ?? null;
        shapes.set(params.documentAST, refused);
      }
      // Fresh each time: later hooks add to the extensions of what they are given.
      if (refused) setResult([refusal(refused.message, String(refused.extensions.reason))]);
    },
  };
}
