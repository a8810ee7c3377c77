import { createHash } from 'node:crypto';

/** The kinds of record the gateway keeps in Redis; each gets its own key namespace under the prefix. */
export type RedisRecordKind = 'revoked' | 'claimed' | 'counter' | 'cache' | 'epoch' | 'state';

/**
 * The Redis key of one record: `{keyPrefix}{kind}:{sha256(id)}`.
 *
 * Ids are hashed rather than embedded because some are chosen by the caller's client (a login counter is
 * keyed by the email typed in the form): a hash gives every key a fixed, small length (a megabyte-long
 * email cannot create a megabyte-long key), keeps `:`, `*`, `{}` and control characters out of key names
 * (no namespace confusion, no accidental Redis Cluster hash tags, safe for `SCAN MATCH {prefix}*`) and keeps
 * shoppers' email addresses out of the database in plain text.
 * The id is hashed as UTF-16 code units, not UTF-8: UTF-8 encoding replaces every lone surrogate with U+FFFD,
 * so two different JavaScript strings would share one key.
 */
export function redisKey(keyPrefix: string, kind: RedisRecordKind, id: string): string {
  const digest = createHash('sha256').update(Buffer.from(id, 'utf16le')).digest('base64url');
  return `${keyPrefix}${kind}:${digest}`;
}
