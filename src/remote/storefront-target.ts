import { isIP } from 'node:net';
import type { StoreConfig } from '../config';

/** Where one channel's Storefront API is reached: a URL, and the Host to name when the URL cannot. */
export interface StorefrontTarget {
  url: string;
  host?: string;
}

/**
 * BigCommerce serves each channel on its own permanent host, `store-{hash}-{channel}.mybigcommerce.com`
 * (developer.bigcommerce.com/docs/storefront/graphql): the configured URL's channel is swapped when it has that
 * form. A local upstream reached by address (the sandbox, a test double) is told the channel by Host instead. A
 * vanity domain serves only its own channel: undefined for any other.
 */
export function storefrontTargetFor(store: Pick<StoreConfig, 'storefrontUrl' | 'storeHash' | 'channelId'>, channelId: number): StorefrontTarget | undefined {
  if (channelId === store.channelId) return { url: store.storefrontUrl };
  const url = new URL(store.storefrontUrl);
  const hash = store.storeHash.toLowerCase();
  const permanent = new RegExp(`^store-${hash}(-[0-9]+)?\\.`);
  if (permanent.test(url.hostname)) {
    url.hostname = url.hostname.replace(permanent, `store-${hash}-${channelId}.`);
    return { url: url.toString() };
  }
  const local = url.hostname === 'localhost' || isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0;
  return local ? { url: store.storefrontUrl, host: `store-${hash}-${channelId}.${url.host}` } : undefined;
}
