import { isTrustedServer } from '../context';

export interface CacheStatusVisibility {
  /** GATEWAY_CACHE_DEBUG_HEADER: everyone sees `X-Cache` (development). */
  debugHeader: boolean;
  /** GATEWAY_SERVER_KEY: callers that send it (`X-Gateway-Server-Key`) are trusted servers. */
  serverKey?: string;
  /** Storefront servers on the front door (their client token checked): a Catalyst server, not a browser. */
  isStorefrontServer?: (request: Request) => boolean;
}

/**
 * Who may read `X-Cache` on an answer. A HIT tells its reader that someone of their customer group opened that page
 * (with those variables) within the TTL, so shoppers never see it; trusted servers and a debugging setup do. The one
 * place this is decided: a new kind of trusted caller is added here.
 */
export function mayShowCacheStatus(request: Request, visibility: CacheStatusVisibility): boolean {
  return visibility.debugHeader || isTrustedServer(request, visibility.serverKey) || visibility.isStorefrontServer?.(request) === true;
}
