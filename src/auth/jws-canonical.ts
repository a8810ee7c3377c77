import { createHash } from 'node:crypto';
import { errors as joseErrors } from 'jose';

/* What both JWT verifiers (Current Customer, Customer Login) check the same way before and after jose. */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The one spelling of a JWS segment: unpadded base64url (RFC 7515 §2 and §3.1) with no other characters
 * and zero unused bits in the last character (RFC 4648 §3.5). Decoders accept padding, whitespace and
 * non-zero trailing bits, so without this one token would have many texts; re-encoding the decoded bytes
 * must give the segment back.
 */
function isCanonicalSegment(segment: string): boolean {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

/** Why a compact serialization was refused before anything read it. */
export type NonCanonicalReason = 'a JWT has exactly three dot-separated parts' | 'token parts must be unpadded base64url without stray characters';

/**
 * Checks the compact serialization before anything else reads it: exactly three segments (a JWS, not a JWE
 * or a token with extras), each canonical. Returns the decoded signature bytes, or why the text is refused.
 */
export function canonicalSignature(jwt: string): { signature: Buffer } | { refused: NonCanonicalReason } {
  const segments = jwt.split('.');
  if (segments.length !== 3) return { refused: 'a JWT has exactly three dot-separated parts' };
  if (!segments.every(isCanonicalSegment)) return { refused: 'token parts must be unpadded base64url without stray characters' };
  return { signature: Buffer.from(segments[2], 'base64url') };
}

/** A store key that does not carry the token (or its signature) itself. */
export function digest(...parts: Array<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(Buffer.isBuffer(part) ? part : Buffer.from(part, 'utf8')).update('\u0000');
  return hash.digest('base64url');
}

/** Why jose refused a token, in the words both JWT verifiers report (`extensions.reason`). */
export type JoseFailure = 'MALFORMED' | 'ALGORITHM_NOT_ALLOWED' | 'SIGNATURE_INVALID' | 'EXPIRED' | 'NOT_YET_VALID' | 'CLAIM_INVALID';

/** Maps a jose failure by its `code` (never its message) to a reason and a detail safe to show a client. */
export function joseFailure(error: unknown): { reason: JoseFailure; detail: string } {
  const code = error instanceof joseErrors.JOSEError ? error.code : undefined;
  switch (code) {
    case joseErrors.JWTExpired.code:
      return { reason: 'EXPIRED', detail: 'token has expired' };
    case joseErrors.JWTClaimValidationFailed.code: {
      const claim = (error as InstanceType<typeof joseErrors.JWTClaimValidationFailed>).claim;
      if (claim === 'iat' || claim === 'nbf') return { reason: 'NOT_YET_VALID', detail: 'token is not valid yet' };
      return { reason: 'CLAIM_INVALID', detail: `claim "${claim}" is invalid` };
    }
    case joseErrors.JWSSignatureVerificationFailed.code:
      return { reason: 'SIGNATURE_INVALID', detail: 'signature does not verify' };
    case joseErrors.JOSEAlgNotAllowed.code:
    case joseErrors.JOSENotSupported.code:
      return { reason: 'ALGORITHM_NOT_ALLOWED', detail: 'only HS256 is accepted' };
    default:
      return { reason: 'MALFORMED', detail: 'not a well-formed JWT' };
  }
}
