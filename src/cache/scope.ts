import { createHash } from 'node:crypto';
import type { GatewayContext } from '../context';
import type { EpochScope } from './invalidation';

/** A shopper's customer group, or guests (who are a scope of their own, whatever group BigCommerce gives them). */
export type GroupScope = number | 'guest';

/**
 * The customer group a request is answered for: from the verified session only (context.ts verifies it on
 * every request), never from anything the client sends about itself.
 */
export function groupOf(ctx: Pick<GatewayContext, 'shopper'>): GroupScope {
  return ctx.shopper ? ctx.shopper.customerGroupId : 'guest';
}

/** The epoch (generation) name of an invalidation scope; one per channel's catalog, per group, for guests, for all. */
export function epochName(scope: EpochScope): string {
  switch (scope.kind) {
    case 'catalog':
      return `catalog:${scope.channelId}`;
    case 'group':
      return `group:${scope.customerGroupId}`;
    case 'guests':
      return 'guests';
    case 'all':
      return 'all';
  }
}

/** Every epoch an entry of this channel and group depends on: bumping any one of them makes the entry unreachable. */
export function epochNamesFor(channelId: number, group: GroupScope): string[] {
  return [
    epochName({ kind: 'all' }),
    epochName({ kind: 'catalog', channelId }),
    epochName(group === 'guest' ? { kind: 'guests' } : { kind: 'group', customerGroupId: group }),
  ];
}

/**
 * JSON with object keys sorted, so `{a, b}` and `{b, a}` variables share an entry. Depth is bounded before this
 * runs (operation-limits.ts refuses variables nested deeper than 32 levels while parsing the request).
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/**
 * A cache key: the SHA-256 of the parts, so no variable value, language or group id appears in a key (Redis keys
 * are visible to anyone with access to the database) and every key has the same small length.
 */
export function cacheKey(parts: ReadonlyArray<string | number>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const text = String(part);
    // Length-prefixed: ['ab', 'c'] and ['a', 'bc'] hash apart.
    hash.update(`${text.length}:`).update(text);
  }
  return hash.digest('base64url');
}
