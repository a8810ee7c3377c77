/** What a request's Host names on the front door's domain (GATEWAY_STOREFRONT_DOMAIN). */
export type StorefrontHost =
  /** Not the front door's domain: today's session endpoint answers. */
  | { kind: 'other' }
  /** `store-{hash}-{channel}.{domain}` or `store-{hash}.{domain}` (the default channel) of the configured store. */
  | { kind: 'store'; channelId: number }
  /** On the domain, but no store the gateway serves (another hash, an unknown channel, any other name). */
  | { kind: 'unknown' };

const STORE_LABEL = /^store-([a-z0-9]+)(?:-([0-9]{1,9}))?$/;

/**
 * Reads a Host header value (any port, any case) the way BigCommerce's permanent URLs are built
 * (developer.bigcommerce.com/docs/storefront/graphql, "default channel"): the store hash, and the channel
 * unless it is the default one.
 */
export function parseStorefrontHost(
  host: string | null,
  frontDoor: { domain: string; storeHash: string; defaultChannelId: number; channels: readonly number[] },
): StorefrontHost {
  if (host === null) return { kind: 'other' };
  const name = host.trim().toLowerCase().replace(/:\d{1,5}$/, '').replace(/\.$/, '');
  const suffix = `.${frontDoor.domain}`;
  if (!name.endsWith(suffix)) return { kind: 'other' };
  const label = STORE_LABEL.exec(name.slice(0, -suffix.length));
  if (!label || label[1] !== frontDoor.storeHash.toLowerCase()) return { kind: 'unknown' };
  const channelId = label[2] === undefined ? frontDoor.defaultChannelId : Number(label[2]);
  return frontDoor.channels.includes(channelId) ? { kind: 'store', channelId } : { kind: 'unknown' };
}
