import { buildSchema, GraphQLError, KnownTypeNamesRule, parse, specifiedRules, validate } from 'graphql';
import { hideSuggestionsPlugin, maskError, withoutSuggestions } from '../../src/error-masking';

describe('withoutSuggestions', () => {
  it.each([
    ['Cannot query field "produts" on type "Site". Did you mean "products"?', 'Cannot query field "produts" on type "Site".'],
    [
      'Variable "$c" got invalid value "USDD"; Value "USDD" does not exist in "currencyCode" enum. Did you mean the enum value "USD"?',
      'Variable "$c" got invalid value "USDD"; Value "USDD" does not exist in "currencyCode" enum.',
    ],
    [
      'Variable "$i" got invalid value { productEntityID: 1 } at "i.lineItems[0]"; Field "productEntityID" is not defined by type "CartLineItemInput". Did you mean "productEntityId" or "variantEntityId"?',
      'Variable "$i" got invalid value { productEntityID: 1 } at "i.lineItems[0]"; Field "productEntityID" is not defined by type "CartLineItemInput".',
    ],
    ['Unknown type "Prodct". Did you mean "Product", "Products", "ProductEdge", "ProductConnection", or "ProductOption"?', 'Unknown type "Prodct".'],
    ['Unknown argument "entityID" on field "Site.product". Did you mean "entityId"?', 'Unknown argument "entityID" on field "Site.product".'],
    ['Nothing to hide.', 'Nothing to hide.'],
  ])('%j', (input, expected) => expect(withoutSuggestions(input)).toBe(expected));
});

describe('maskError', () => {
  it('maps client request errors into the closed set in place (no replacement, so yoga logs nothing)', () => {
    const variable = new GraphQLError('Variable "$x" got invalid value "a"; Int cannot represent non-integer value: "a"');
    expect(maskError(variable, 'Unexpected error.')).toBe(variable);
    expect(variable.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });

    const subscription = new GraphQLError('Schema is not configured to execute subscription operation.');
    expect(maskError(subscription, 'Unexpected error.')).toBe(subscription);
    expect(subscription.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'OPERATION_NOT_SUPPORTED' });

    const yogaError = new GraphQLError('Could not determine what operation to execute.', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
    expect(maskError(yogaError, 'Unexpected error.')).toBe(yogaError);
    expect(yogaError.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OPERATION_RESOLUTION_FAILURE' });
  });

  it('drops private extensions of upstream errors in place, keeping message and code', () => {
    const upstream = new GraphQLError('Product not found', { extensions: { code: 'NOT_FOUND', stack: 'at /srv', internalHost: '10.0.0.7' } });
    expect(maskError(upstream, 'Unexpected error.')).toBe(upstream);
    expect(upstream.extensions).toEqual({ code: 'NOT_FOUND' });
  });

  it('builds a new error when extensions are frozen', () => {
    const frozen = new GraphQLError('x', { extensions: Object.freeze({ code: 'GRAPHQL_VALIDATION_FAILED', secret: 's' }) });
    const masked = maskError(frozen, 'Unexpected error.') as GraphQLError;
    expect(masked).not.toBe(frozen);
    expect(masked.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('answers malformed JSON parameters with BAD_USER_INPUT, without echoing them', () => {
    let syntax: unknown;
    try {
      JSON.parse('{"password":"hunter2"');
    } catch (error) {
      syntax = error;
    }
    const masked = maskError(syntax, 'Unexpected error.') as GraphQLError;
    expect(masked.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' });
    expect(masked.message).not.toContain('hunter2');
  });

  it('masks anything unexpected', () => {
    const masked = maskError(new Error('connect ECONNREFUSED 10.0.0.7:6379'), 'Unexpected error.') as GraphQLError;
    expect(masked.message).toBe('Unexpected error.');
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    const wrapped = maskError(new GraphQLError('boom', { originalError: new TypeError('x is undefined') }), 'Unexpected error.') as GraphQLError;
    expect(wrapped.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});

describe('hidden suggestions are not searched for', () => {
  it('validates type names without KnownTypeNamesRule and its search over every type name, with the same errors', () => {
    const schema = buildSchema('type Query { a: Int } type Product { name: String }');
    const rules = [...specifiedRules];
    const plugin = hideSuggestionsPlugin() as { onValidate: (payload: unknown) => unknown };
    plugin.onValidate({ params: { schema, documentAST: parse('{ a }'), rules } });
    expect(rules).not.toContain(KnownTypeNamesRule);
    const document = parse('query Q($v: Productx, $w: Product) { a } fragment F on Nope { a }');
    const quiet = validate(schema, document, rules).map((error) => error.message).filter((message) => message.startsWith('Unknown type'));
    const original = validate(schema, document).map((error) => withoutSuggestions(error.message)).filter((message) => message.startsWith('Unknown type'));
    expect(quiet).toEqual(['Unknown type "Productx".', 'Unknown type "Nope".']);
    expect(quiet).toEqual(original);
  });
});
