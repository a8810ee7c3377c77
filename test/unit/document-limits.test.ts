import { parse } from 'graphql';
import { MAX_LITERAL_DEPTH, maxSelectionNesting, nestingOf, nestingRefusal, shapeRefusal } from '../../src/plugins/document-limits';

const LIMITS = { maxTokens: 5000, maxDepth: 20 };

describe('nesting from the tokens', () => {
  it.each<[string, string, { literal: number; selection: number }]>([
    ['selection sets', '{ a { b { c } } }', { literal: 0, selection: 3 }],
    ['a list literal in an argument', '{ a(x: [[1], [2, [3]]]) { b } }', { literal: 3, selection: 2 }],
    ['an object literal in a directive argument', '{ a @d(x: { y: { z: 1 } }) }', { literal: 2, selection: 1 }],
    ['a list type and a default value', 'query Q($v: [[Int]] = [[[1]]]) { a }', { literal: 3, selection: 1 }],
    ['brackets inside strings and comments', '{ a(x: "[[[[{{{{", y: """ [[[[ """) # [[[[ {{{{\n { b } }', { literal: 0, selection: 2 }],
    ['unbalanced closers', '{ a ] ] } } } { b }', { literal: 0, selection: 1 }],
  ])('%s', (_name, source, expected) => {
    expect(nestingOf(source, LIMITS.maxTokens)).toEqual(expected);
  });

  it('stops at the token limit and at a lexical error (the parser reports both)', () => {
    expect(nestingOf(`{ a(x: ${'['.repeat(100)}`, 50).literal).toBeLessThan(50);
    expect(nestingOf(`{ a(x: [[ \u0001 ${'['.repeat(100)}`, 5000).literal).toBe(2);
  });

  it.each<[string, string, string | undefined]>([
    ['literals at the limit', `{ a(x: ${'['.repeat(MAX_LITERAL_DEPTH)}1${']'.repeat(MAX_LITERAL_DEPTH)}) }`, undefined],
    ['literals past the limit', `{ a(x: ${'['.repeat(MAX_LITERAL_DEPTH + 1)}1${']'.repeat(MAX_LITERAL_DEPTH + 1)}) }`, 'MAX_LITERAL_DEPTH'],
    ['selections at the limit', `${'{ a '.repeat(maxSelectionNesting(20))}${'}'.repeat(maxSelectionNesting(20))}`, undefined],
    ['selections past the limit', `${'{ a '.repeat(maxSelectionNesting(20) + 1)}${'}'.repeat(maxSelectionNesting(20) + 1)}`, 'MAX_DEPTH'],
  ])('%s', (_name, source, reason) => {
    expect(nestingRefusal(source, LIMITS)?.extensions.reason).toBe(reason);
  });
});

describe('shape before validation', () => {
  const R = (n: number, item: (i: number) => string) => Array.from({ length: n }, (_, i) => item(i)).join(' ');
  it.each<[string, string, string | undefined]>([
    ['100 variables', `query Q(${R(100, (i) => `$v${i}: Int`)}) { a }`, undefined],
    ['101 variables', `query Q(${R(101, (i) => `$v${i}: Int`)}) { a }`, 'MAX_VARIABLES'],
    ['101 variables in a second operation', `query A { a } query Q(${R(101, (i) => `$v${i}: Int`)}) { a }`, 'MAX_VARIABLES'],
    ['51 arguments on a field inside a fragment', `{ ...F } fragment F on Query { a { b(${R(51, (i) => `x${i}: 1`)}) } }`, 'MAX_ARGUMENTS'],
    ['51 arguments on a directive of a variable', `query Q($v: Int @d(${R(51, (i) => `x${i}: 1`)})) { a }`, 'MAX_ARGUMENTS'],
    ['21 directives on an inline fragment', `{ ... on Query ${R(21, () => '@include(if: true)')} { a } }`, 'MAX_DIRECTIVES'],
    ['21 directives on an operation', `query Q ${R(21, () => '@d')} { a }`, 'MAX_DIRECTIVES'],
    ['20 directives on a field', `{ a ${R(20, () => '@include(if: true)')} }`, undefined],
    ['50 operations', R(50, (i) => `query Q${i} { a }`), undefined],
    ['51 operations', R(51, (i) => `query Q${i} { a }`), 'MAX_OPERATIONS'],
  ])('%s', (_name, source, reason) => {
    expect(shapeRefusal(parse(source))?.extensions.reason).toBe(reason);
  });
});
