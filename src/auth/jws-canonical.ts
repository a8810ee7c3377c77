import { createHash } from 'node:crypto';

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
