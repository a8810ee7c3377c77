import { DEFAULT_REDIRECT, MAX_REDIRECT_LENGTH, relativePathOf, validateRedirectPath } from '../../src/auth/redirect-path';

const refused = (path: string) => () => validateRedirectPath(path);
const BAD_USER_INPUT = expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) });

/** What Node's http module accepts in a header value (the sandbox and most stores answer 500 otherwise). */
const HEADER_SAFE = /^[\t\x20-\x7e]*$/;

describe('validateRedirectPath', () => {
  it.each([
    '/account.php',
    '/cart.php?embedded=1&action=loadInCheckout&id=abc&token=def',
    '/login.php?action=logout',
    '/a/b/c#frag',
    '/search.php?search_query=%2F%2Fquoted',
    '/a//b',
    '/100%25-cotton/',
    '/caf%C3%A9/',
    "/products/it's-(new)!*~;=:@$,+",
  ])('accepts the relative path %j unchanged', (path) => expect(validateRedirectPath(path)).toBe(path));

  it('defaults to /account.php', () => {
    expect(validateRedirectPath(undefined)).toBe(DEFAULT_REDIRECT);
    expect(validateRedirectPath(null)).toBe(DEFAULT_REDIRECT);
    expect(validateRedirectPath('')).toBe(DEFAULT_REDIRECT);
  });

  it.each([
    ['/café', '/caf%C3%A9'],
    ['/サンダル/', '/%E3%82%B5%E3%83%B3%E3%83%80%E3%83%AB/'],
    ['/emoji-😀', '/emoji-%F0%9F%98%80'],
    ['/a b', '/a%20b'],
    ['/q?x=<script>"', '/q?x=%3Cscript%3E%22'],
    ['/p?a={b}|c^`', '/p?a=%7Bb%7D%7Cc%5E%60'],
    ['/x#a#b', '/x#a%23b'],
    ['/[v6]', '/%5Bv6%5D'],
    ['/nbsp\u00a0here', '/nbsp%C2%A0here'],
  ])('percent-encodes what a Location header cannot carry: %j → %j', (input, expected) => {
    const output = validateRedirectPath(input);
    expect(output).toBe(expected);
    expect(output).toMatch(HEADER_SAFE);
    expect(decodeURIComponent(output)).toBe(input);
  });

  it.each([
    // other origins and schemes
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example',
    'HTTPS://evil.example',
    'javascript:alert(1)',
    'data:text/html,x',
    'account.php',
    ' /account.php',
    // control, format and separator characters, raw
    '/ok\r\nSet-Cookie: a=b',
    '/ok\n',
    '/\tevil',
    '/\u0000',
    '/\u007f',
    '/\u0085next-line',
    '/\u200bzero-width',
    '/\u202eevil',
    '/\u2028',
    '/lone-\ud800-surrogate',
    // percent-encoded tricks in the path
    '/%2F%2Fevil.example',
    '/%2f/evil.example',
    '/%5Cevil.example',
    '/%5cevil.example',
    '/%09/evil.example',
    '/%0d%0aSet-Cookie:%20a=b',
    '/%00',
    '/%252F%252Fevil.example',
    '/%25252F%25252Fevil.example',
    '/%2525252525252F',
    '/%C0%AF%C0%AFevil.example',
    '/%E0%80%AFevil',
    '/%',
    '/%zz',
    '/a%2',
    // look-alikes of / and \
    '/／evil.example',
    '/∕evil.example',
    '/⁄evil.example',
    '/⧸evil.example',
    '/＼evil.example',
    '/﹨evil.example',
    '/%EF%BC%8Fevil.example',
    '/%E2%88%95evil.example',
    // dot segments that resolve to //host
    '/.//evil.example',
    '/./%2F/evil.example',
    '/a/..//evil.example',
    '/%2e%2e//evil.example',
    '/%2E/%2Fevil.example',
    // overlong
    '/' + 'a'.repeat(MAX_REDIRECT_LENGTH),
    '/' + 'é'.repeat(MAX_REDIRECT_LENGTH / 2),
  ])('refuses %j with BAD_USER_INPUT', (path) => {
    expect(refused(path)).toThrow(BAD_USER_INPUT);
  });

  it('never returns a value a Location header cannot carry or that leaves the store', () => {
    const samples = ['/x', '/ü', '/a?b=ü#ç', '/%41', '/a/./b', '/\u3000', '/a\u00ad'];
    for (const sample of samples) {
      let output: string;
      try {
        output = validateRedirectPath(sample);
      } catch {
        continue;
      }
      expect(output).toMatch(HEADER_SAFE);
      expect(new URL(output, 'https://store.example').origin).toBe('https://store.example');
      expect(output.startsWith('//')).toBe(false);
    }
  });

  it('takes path and query of an absolute URL', () => {
    expect(relativePathOf('https://store.example/cart.php?embedded=1&id=x#h')).toBe('/cart.php?embedded=1&id=x');
  });
});
