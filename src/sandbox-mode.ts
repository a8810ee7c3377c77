import type { AuthMode, StoreConfig } from './config';
import { createAdminRestClient } from './remote/admin-rest';
import type { HttpClient } from './remote/http';
import { createStorefrontToken } from './remote/storefront-tokens';

/** What the gateway needs to know about a running sandbox store (structural: the gateway imports nothing from src/sandbox). */
export interface SandboxEndpoint {
  url: string;
  identity: { storeHash: string; clientId: string; clientSecret: string; accessToken: string; channelId: number };
}

const SANDBOX_TOKEN_LIFETIME_SECONDS = 365 * 86_400;

/**
 * Sandbox mode: the gateway reaches the sandbox over HTTP like any store, with a storefront token it
 * creates there through the REST token endpoint — the same way an operator creates one for a real store.
 */
export async function sandboxStoreConfig(
  sandbox: SandboxEndpoint,
  options: {
    authMode: AuthMode;
    trustedProxySecret?: string;
    timeoutMs: number;
    /** Channels the token must serve (the front door's); the sandbox's own channel when absent. */
    channelIds?: number[];
    http?: HttpClient;
    now?: () => number;
  },
): Promise<StoreConfig> {
  const { identity, url } = sandbox;
  const admin = createAdminRestClient({ apiUrl: url, storeHash: identity.storeHash, accessToken: identity.accessToken, timeoutMs: options.timeoutMs, http: options.http });
  let storefrontToken: string;
  try {
    storefrontToken = await createStorefrontToken(admin.rest, {
      authMode: options.authMode,
      channelIds: options.channelIds ?? [identity.channelId],
      expiresAt: Math.floor((options.now ?? Date.now)() / 1000) + SANDBOX_TOKEN_LIFETIME_SECONDS,
    });
  } finally {
    await admin.close();
  }
  return {
    storeHash: identity.storeHash,
    channelId: identity.channelId,
    storefrontUrl: `${url}/graphql`,
    storeUrl: url,
    apiUrl: url,
    accessToken: identity.accessToken,
    clientId: identity.clientId,
    clientSecret: identity.clientSecret,
    storefrontToken,
    authMode: options.authMode,
    trustedProxySecret: options.trustedProxySecret,
  };
}
