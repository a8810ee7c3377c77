import { gatewayError } from '../errors';

export const MAX_REDIRECT_LENGTH = 2048;
export const DEFAULT_REDIRECT = '/account.php';

const PLACEHOLDER_ORIGIN = 'https://redirect-check.invalid';

/**
 * A Customer Login `redirect_to` must stay on the storefront: a relative path only. Browsers treat
 * `//host` and `/\host` as other origins and strip tabs/newlines, so all of those are refused.
 */
export function validateRedirectPath(input: string | null | undefined): string {
  if (input === null || input === undefined || input === '') return DEFAULT_REDIRECT;
  if (input.length > MAX_REDIRECT_LENGTH) {
    throw gatewayError('BAD_USER_INPUT', `redirectTo must be at most ${MAX_REDIRECT_LENGTH} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) throw gatewayError('BAD_USER_INPUT', 'redirectTo must not contain control characters');
  if (!input.startsWith('/') || input.startsWith('//') || input.includes('\\')) {
    throw gatewayError('BAD_USER_INPUT', 'redirectTo must be a relative path starting with a single "/"');
  }
  let resolved: URL;
  try {
    resolved = new URL(input, PLACEHOLDER_ORIGIN);
  } catch {
    throw gatewayError('BAD_USER_INPUT', 'redirectTo is not a valid path');
  }
  if (resolved.origin !== PLACEHOLDER_ORIGIN) throw gatewayError('BAD_USER_INPUT', 'redirectTo must stay on the storefront');
  return input;
}

/** The path and query of an absolute BigCommerce URL (e.g. `embedded_checkout_url`), for use as `redirect_to`. */
export function relativePathOf(absoluteUrl: string): string {
  const url = new URL(absoluteUrl);
  return `${url.pathname}${url.search}`;
}
