// Per-request context of the sandbox's Storefront GraphQL API: who is asking and with which token.
import type { Catalog } from './catalog';
import type { VerifiedCustomerLogin } from './customer-login';
import type { SandboxState } from './state';
import type { TokenKind, TokenScope } from './storefront-tokens';

export interface StorefrontContext {
  catalog: Catalog;
  state: SandboxState;
  storeHash: string;
  channelId: number;
  tokenKind: TokenKind;
  /** Scopes of a private token; null for token kinds without scopes (all fields allowed). */
  scopes: TokenScope[] | null;
  /** The identified shopper (impersonation header or customer access token), null for a guest. */
  customerId: number | null;
  /** The customer access token sent with the request, when it identified the shopper (logout revokes it). */
  customerAccessToken: string | null;
  /** An `Origin` header was sent: a browser request, where a CAT is never returned in the body. */
  fromBrowser: boolean;
  now: () => number;
  /**
   * Verifies a Customer Login JWT for `loginWithCustomerLoginJwt` (the verifier of GET /login/token/{jwt}, without
   * the request_ip comparison) and spends its jti; throws CustomerLoginRejected. Injected so the resolvers never
   * see the client secret.
   */
  verifyCustomerLoginJwt: (jwt: string) => Promise<VerifiedCustomerLogin>;
}
