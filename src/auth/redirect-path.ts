import { gatewayError } from '../errors';

/** Longest accepted `redirectTo`, before and after percent-encoding: far above any storefront path. */
export const MAX_REDIRECT_LENGTH = 2048;
export const DEFAULT_REDIRECT = '/account.php';

const PLACEHOLDER_ORIGIN = 'https://redirect-check.invalid';
/** Decoding layers inspected (`%252F` is `/` two layers down); a path still changing after that is refused. */
const MAX_DECODING_LAYERS = 4;

/**
 * Characters never accepted, even encoded later: controls (C0, DEL, C1), format characters (bidi overrides,
 * zero-width), line/paragraph separators and lone surrogates. Browsers strip or reinterpret some of them
 * (WHATWG URL removes tab and newlines), and they cannot be shown to a shopper honestly.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const ASCII_CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Look-alikes of `/` and `\` that NFKC does not fold (NFKC already folds U+FF0F and U+FF3C/U+FE68): a server
 * or proxy that "normalises" them would turn `/∕host` into `//host`.
 */
const SLASH_LOOKALIKES = /[\u2044\u2215\u2571\u29f8]/g;
const BACKSLASH_LOOKALIKES = /[\u2216\u2572\u29f5\u29f9]/g;

/**
 * ASCII characters a URI may carry as they are (RFC 3986 §2.2, §2.3, §3.3–3.5): unreserved, sub-delims,
 * `:` `@` `/` `?`, and `%` (checked to start a triplet). Everything else — non-ASCII, space, `"<>^\`{|}`,
 * `[` `]`, a second `#` — is percent-encoded as UTF-8 (RFC 3987 §3.1), which is how browsers send such paths.
 */
const URI_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]$/;

function refuse(message: string): never {
  throw gatewayError('BAD_USER_INPUT', `redirectTo ${message}`);
}

/** One layer of percent-decoding: strict UTF-8 when possible, else byte by byte (enough to see ASCII). */
function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/** What a normalising or decoding component downstream could read the path as, checked like the path itself. */
function checkPathReading(reading: string): void {
  const folded = reading.normalize('NFKC').replace(SLASH_LOOKALIKES, '/').replace(BACKSLASH_LOOKALIKES, '\\');
  if (ASCII_CONTROL.test(folded)) refuse('must not contain control characters, even percent-encoded');
  if (folded.includes('\\')) refuse('must not contain a backslash, even encoded or as a look-alike');
  if (folded.startsWith('//')) refuse('must not start with "//", even encoded or as a look-alike');
  // `/.//host` and `/a/..//host` resolve to the path `//host` (WHATWG URL removes dot segments).
  let resolvedPath: string;
  try {
    resolvedPath = new URL(folded.startsWith('/') ? folded : `/${folded}`, PLACEHOLDER_ORIGIN).pathname;
  } catch {
    refuse('is not a valid path');
  }
  if (resolvedPath.startsWith('//')) refuse('must not resolve to a path starting with "//"');
}

function percentEncode(text: string): string {
  let out = '';
  let seenHash = false;
  for (const char of text) {
    if (char === '#' && !seenHash) {
      seenHash = true;
      out += char;
    } else if (URI_SAFE.test(char)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * A Customer Login `redirect_to` (developer.bigcommerce.com/docs/start/authentication/customer-login) must stay
 * on the storefront and be sendable in a `Location` header (RFC 9110 §10.2.2: a URI-reference, ASCII only).
 * BigCommerce spends the login token before redirecting, so a value the store cannot send is refused or
 * repaired here, never discovered there. The policy:
 * - relative path only: starts with one `/`; no `\`, no scheme, no `//host`;
 * - refused: controls, format characters, separators, lone surrogates; `%` not starting a `%XX` triplet;
 *   in the path, percent-encoding that is not UTF-8 (so overlong `%C0%AF` for `/` is refused);
 * - the path is also checked as a decoder, a Unicode normaliser or a dot-segment remover would read it, layer by
 *   layer (`%2F%2F`, `%5C`, `/%09/`, `%252F`, `／`, `∕`, `/.//host` are refused);
 * - non-ASCII and other characters a URI cannot carry as they are get percent-encoded (UTF-8), so
 *   `/café` becomes `/caf%C3%A9` — the value returned, signed into the JWT and reported as `redirectTo`.
 */
export function validateRedirectPath(input: string | null | undefined): string {
  if (input === null || input === undefined || input === '') return DEFAULT_REDIRECT;
  if (input.length > MAX_REDIRECT_LENGTH) refuse(`must be at most ${MAX_REDIRECT_LENGTH} characters`);
  if (FORBIDDEN.test(input)) refuse('must not contain control, format or separator characters');
  if (!input.startsWith('/') || input.startsWith('//') || input.includes('\\')) refuse('must be a relative path starting with a single "/"');
  if (/%(?![0-9A-Fa-f]{2})/.test(input)) refuse('has a "%" that does not start a percent-encoded byte');

  const pathEnd = input.search(/[?#]/);
  const path = pathEnd === -1 ? input : input.slice(0, pathEnd);
  try {
    decodeURIComponent(path);
  } catch {
    refuse('path must percent-encode UTF-8 only');
  }
  let reading = path;
  checkPathReading(reading);
  for (let layer = 0; ; layer++) {
    const next = decodeOnce(reading);
    if (next === reading) break;
    if (layer === MAX_DECODING_LAYERS) refuse('is percent-encoded too many times over');
    reading = next;
    checkPathReading(reading);
  }

  const encoded = percentEncode(input);
  if (encoded.length > MAX_REDIRECT_LENGTH) refuse(`must be at most ${MAX_REDIRECT_LENGTH} characters once percent-encoded`);
  let resolved: URL;
  try {
    resolved = new URL(encoded, PLACEHOLDER_ORIGIN);
  } catch {
    refuse('is not a valid path');
  }
  if (resolved.origin !== PLACEHOLDER_ORIGIN || resolved.pathname.startsWith('//')) refuse('must stay on the storefront');
  return encoded;
}

/** The path and query of an absolute BigCommerce URL (e.g. `embedded_checkout_url`), for use as `redirect_to`. */
export function relativePathOf(absoluteUrl: string): string {
  const url = new URL(absoluteUrl);
  return `${url.pathname}${url.search}`;
}
