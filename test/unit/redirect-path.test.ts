import { DEFAULT_REDIRECT, relativePathOf, validateRedirectPath } from '../../src/auth/redirect-path';

describe('validateRedirectPath', () => {
  it.each(['/account.php', '/cart.php?embedded=1&action=loadInCheckout&id=abc&token=def', '/login.php?action=logout', '/a/b/c#frag', '/%2F%2Fevil'])(
    'accepts the relative path %j',
    (path) => expect(validateRedirectPath(path)).toBe(path),
  );

  it('defaults to /account.php', () => {
    expect(validateRedirectPath(undefined)).toBe(DEFAULT_REDIRECT);
    expect(validateRedirectPath(null)).toBe(DEFAULT_REDIRECT);
    expect(validateRedirectPath('')).toBe(DEFAULT_REDIRECT);
  });

  it.each([
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example',
    'HTTPS://evil.example',
    'javascript:alert(1)',
    'data:text/html,x',
    'account.php',
    '/ok\r\nSet-Cookie: a=b',
    '/ok\n',
    '/\tevil',
    '/\u0000',
    '/' + 'a'.repeat(2048),
  ])('refuses %j with BAD_USER_INPUT', (path) => {
    expect(() => validateRedirectPath(path)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });

  it('takes path and query of an absolute URL', () => {
    expect(relativePathOf('https://store.example/cart.php?embedded=1&id=x#h')).toBe('/cart.php?embedded=1&id=x');
  });
});
