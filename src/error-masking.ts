import { GraphQLError, KnownTypeNamesRule, type ASTVisitor, type ExecutionResult, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { INTERNAL_ERROR_CODE, type ErrorCode } from './errors';

/**
 * GraphQL-over-HTTP errors raised by yoga itself (unparseable bodies, syntax and validation errors) are
 * the client's: they map into the gateway's closed set as BAD_USER_INPUT, keeping yoga's code as `reason`.
 */
const REQUEST_ERROR_CODES: Record<string, ErrorCode> = {
  BAD_REQUEST: 'BAD_USER_INPUT',
  GRAPHQL_PARSE_FAILED: 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
  OPERATION_NOT_SUPPORTED: 'BAD_USER_INPUT',
};

/**
 * graphql-js errors a client causes that carry no code: invalid variable values (either upstream path), and
 * an operation whose root type the schema lacks (reached only if validation let it through).
 */
const UNCODED_REQUEST_ERRORS: Array<[RegExp, string]> = [
  [/^Variable "\$[_A-Za-z][_0-9A-Za-z]*" /, 'GRAPHQL_VALIDATION_FAILED'],
  [/^Schema is not configured to execute (query|mutation|subscription) operation\.$/, 'OPERATION_NOT_SUPPORTED'],
];

/** Extensions that may reach a client; anything else (HTTP details, upstream internals) is dropped. */
const PUBLIC_EXTENSIONS = new Set(['code', 'http', 'reason', 'retryAfterMs', 'requiredScopes']);

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError;
}

/**
 * An error that refuses the client's own input (a document or its variables), before or after mapping into the
 * closed set: what the refused-document throttle counts.
 */
export function isClientRequestError(error: unknown): boolean {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return code === 'BAD_USER_INPUT' || (typeof code === 'string' && code in REQUEST_ERROR_CODES);
}

/**
 * The code a client-caused request error carries in the closed set, for yoga's own code (or a graphql-js
 * error that has none); undefined when the error is not one of those.
 */
function requestErrorCode(code: unknown, message: string): string | undefined {
  const original = code ?? UNCODED_REQUEST_ERRORS.find(([pattern]) => pattern.test(message))?.[1];
  return typeof original === 'string' && REQUEST_ERROR_CODES[original] ? original : undefined;
}

/**
 * Puts a client or upstream error into the closed set in place: drops private extensions and maps request
 * codes. In place, because yoga logs at error level every error that `maskError` replaces — a client must
 * not be able to write error-level log lines at will by sending bad requests. False when the error's
 * extensions cannot be changed (then the caller builds a new error).
 */
function normaliseInPlace(error: GraphQLError): boolean {
  const extensions = error.extensions as Record<string, unknown>;
  const reason = requestErrorCode(extensions.code, error.message);
  const privateKeys = Object.keys(extensions).filter((key) => !PUBLIC_EXTENSIONS.has(key));
  if (!reason && privateKeys.length === 0) return true;
  if (Object.isFrozen(extensions) || Object.isSealed(extensions)) return false;
  for (const key of privateKeys) delete extensions[key];
  if (reason) Object.assign(extensions, { code: REQUEST_ERROR_CODES[reason], reason: extensions.reason ?? reason });
  return true;
}

/**
 * A JSON parse failure of request parameters (yoga parses `variables` and `extensions` of GET requests with a
 * bare JSON.parse): the client's malformed input, not a fault of the gateway.
 */
function isJsonSyntaxError(error: unknown): boolean {
  return error instanceof SyntaxError && /JSON/.test(error.message);
}

const BAD_JSON_MESSAGE = 'Request parameters "variables" and "extensions" must be valid JSON';

function badJsonError(): GraphQLError {
  return new GraphQLError(BAD_JSON_MESSAGE, { extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST', http: { status: 400 } } });
}

function nullInBatchError(): GraphQLError {
  return new GraphQLError('Every operation of a batch must be an object, not null', {
    extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST', http: { status: 400 } },
  });
}

/**
 * Yoga `maskError`: errors the gateway raised on purpose, client request errors and upstream GraphQL errors
 * keep their message and code (mapped into the closed set, private extensions dropped); anything unexpected
 * becomes a generic error that leaks nothing.
 */
export function maskError(error: unknown, message: string): Error {
  if (isGraphQLError(error) && (!error.originalError || isGraphQLError(error.originalError))) {
    if (normaliseInPlace(error)) return error;
    const extensions = Object.fromEntries(Object.entries(error.extensions ?? {}).filter(([key]) => PUBLIC_EXTENSIONS.has(key)));
    const reason = requestErrorCode(extensions.code, error.message);
    if (reason) Object.assign(extensions, { code: REQUEST_ERROR_CODES[reason], reason: extensions.reason ?? reason });
    return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
  }
  const cause = isGraphQLError(error) ? error.originalError : error;
  // Normally answered before it gets here (see requestErrorsPlugin); kept so that it never becomes a 500.
  if (isJsonSyntaxError(cause)) return badJsonError();
  return new GraphQLError(message, {
    path: isGraphQLError(error) ? error.path : undefined,
    nodes: isGraphQLError(error) ? error.nodes : undefined,
    extensions: { code: INTERNAL_ERROR_CODE },
  });
}

/**
 * Operation Type Existence (spec.graphql.org/September2025/#sec-Operation-Type-Existence; graphql-js 17's
 * KnownOperationTypesRule): an operation whose root type the schema does not define is a validation error.
 * graphql-js 16 only fails it at execution, without a code; the gateway serves no subscriptions.
 */
export function knownOperationTypesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      if (schema.getRootType(node.operation)) return;
      context.reportError(
        new GraphQLError(`This gateway does not support ${node.operation} operations`, {
          nodes: node,
          extensions: { code: 'BAD_USER_INPUT', reason: 'OPERATION_NOT_SUPPORTED' },
        }),
      );
    },
  };
}

/**
 * Request errors that bypass `maskError` or would reach it as something else: validation errors (mapped
 * into the closed set as BAD_USER_INPUT with yoga's code as `reason`; validation errors without a code are
 * yoga's too), operations of a type the schema lacks (refused while validating), and malformed JSON in
 * GET parameters (yoga's parser throws a bare SyntaxError, which would be masked as an internal error
 * and logged at error level).
 */
export function validationErrorCodesPlugin(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (request) => {
        let parsed: Awaited<ReturnType<typeof parse>>;
        try {
          parsed = await parse(request);
        } catch (error) {
          if (isJsonSyntaxError(error)) throw badJsonError();
          throw error;
        }
        // A `null` in a batch reaches every plugin's onParams before yoga checks it (a TypeError, an internal error).
        if (Array.isArray(parsed) && parsed.some((params: unknown) => params === null)) throw nullInBatchError();
        return parsed;
      });
    },
    onValidate({ addValidationRule }) {
      addValidationRule(knownOperationTypesRule);
      return ({ valid, result }) => {
        if (valid) return;
        for (const error of result) {
          const extensions = error.extensions as Record<string, unknown>;
          const reason = requestErrorCode(extensions.code ?? 'GRAPHQL_VALIDATION_FAILED', error.message);
          if (!reason) continue;
          Object.assign(extensions, { code: REQUEST_ERROR_CODES[reason], reason: extensions.reason ?? reason });
        }
      };
    },
  };
}

type ValidationRule = (context: ValidationContext) => ASTVisitor;

/**
 * graphql-js's KnownTypeNamesRule for executable documents, without its "Did you mean" search: an unknown type name
 * in a variable definition or type condition is refused with the same message, suggestions left out.
 */
export function quietKnownTypeNamesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    NamedType(node) {
      if (!schema.getType(node.name.value)) context.reportError(new GraphQLError(`Unknown type "${node.name.value}".`, { nodes: node }));
    },
  };
}

/**
 * graphql-js appends " Did you mean …?" (didYouMean) to messages about unknown fields, arguments, types,
 * enum values and input object fields — in validation and in variable coercion alike. Suggestion lists
 * are quoted GraphQL names, which never contain "?".
 */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/** Strips suggestions from errors in place (messages are plain writable properties of Error). */
function stripSuggestions(errors: ReadonlyArray<{ message: string }> | undefined): void {
  for (const error of errors ?? []) {
    if (typeof error.message === 'string' && error.message.includes('Did you mean')) {
      (error as { message: string }).message = withoutSuggestions(error.message);
    }
  }
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * With suggestions off (production), no message names a field, type, argument or value the client did not
 * send: this removes graphql-js's "Did you mean …?" from validation errors and from every execution result —
 * variable coercion on the stitched path (graphql-js `execute`) and on the pass-through path
 * (`getVariableValues`), and upstream errors. GraphQL Armor's block-field-suggestions only covers validation.
 */
export function hideSuggestionsPlugin(): Plugin {
  return {
    onValidate({ params }) {
      // Suggestions that would be stripped are not searched for: an unknown type name costs a search over all of them.
      const index = params.rules?.indexOf(KnownTypeNamesRule) ?? -1;
      if (index >= 0 && params.rules) (params.rules as ValidationRule[])[index] = quietKnownTypeNamesRule;
      return ({ valid, result }) => {
        if (!valid) stripSuggestions(result);
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) {
            return { onNext: ({ result: next }: { result: ExecutionResult }) => stripSuggestions(next.errors) };
          }
          stripSuggestions((result as ExecutionResult).errors);
          return undefined;
        },
      };
    },
  };
}
