// Mutable in-memory state of one sandbox instance: carts, customer access tokens, storefront sessions,
// used Customer Login jti values and revoked storefront tokens. None of it survives a restart, on purpose
// (storefront tokens themselves do: their key follows the identity; a revocation is forgotten with the process).
import { randomBytes, randomUUID } from 'node:crypto';

export interface CartLine {
  entityId: string;
  productId: number;
  variantId: number;
  quantity: number;
}

export interface CartRecord {
  entityId: string;
  customerId: number | null;
  currencyCode: string;
  locale: string;
  lines: CartLine[];
  createdAt: number;
  updatedAt: number;
  version: number;
  /** Secret part of cart.php URLs (as BigCommerce's `token` query parameter). */
  urlToken: string;
}

export interface CustomerAccessTokenRecord {
  value: string;
  customerId: number;
  expiresAtMs: number;
}

export interface StorefrontSession {
  id: string;
  customerId: number;
  createdAt: number;
}

/** CAT lifetime: BigCommerce does not document it (developer.bigcommerce.com/docs/start/authentication/graphql-storefront); one day is the sandbox's choice. */
export const CUSTOMER_ACCESS_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** Storefront session lifetime (cookie-backed). */
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;

export class SandboxState {
  readonly carts = new Map<string, CartRecord>();
  private readonly cats = new Map<string, CustomerAccessTokenRecord>();
  private readonly sessions = new Map<string, StorefrontSession>();
  /** jti → when it may be forgotten (after the 30 s iat window it could not be replayed anyway). */
  private readonly usedJtis = new Map<string, number>();
  readonly revokedTokens = new Set<string>();

  constructor(private readonly now: () => number) {}

  /** Issues a CAT (64 hex + `_` + unix expiry, as in developer.bigcommerce.com/docs/start/authentication/graphql-storefront) and revokes the customer's previous one (one device). */
  issueCustomerAccessToken(customerId: number): CustomerAccessTokenRecord {
    for (const [value, rec] of this.cats) if (rec.customerId === customerId) this.cats.delete(value);
    const expiresAtMs = Math.floor((this.now() + CUSTOMER_ACCESS_TOKEN_TTL_MS) / 1000) * 1000;
    const value = `${randomBytes(32).toString('hex')}_${expiresAtMs / 1000}`;
    const record = { value, customerId, expiresAtMs };
    this.cats.set(value, record);
    return record;
  }

  /** The customer of a live CAT, or null when unknown, revoked or expired. */
  customerForAccessToken(value: string): number | null {
    const record = this.cats.get(value);
    if (!record) return null;
    if (record.expiresAtMs <= this.now()) {
      this.cats.delete(value);
      return null;
    }
    return record.customerId;
  }

  revokeCustomerAccessToken(value: string): void {
    this.cats.delete(value);
  }

  /** Records a jti; false when it was already used (Customer Login tokens are single-use). */
  useJti(jti: string, forgetAfterMs: number): boolean {
    const t = this.now();
    for (const [k, until] of this.usedJtis) if (until < t) this.usedJtis.delete(k);
    if (this.usedJtis.has(jti)) return false;
    this.usedJtis.set(jti, t + forgetAfterMs);
    return true;
  }

  createSession(customerId: number): StorefrontSession {
    const session = { id: randomBytes(32).toString('hex'), customerId, createdAt: this.now() };
    this.sessions.set(session.id, session);
    return session;
  }

  session(id: string | undefined): StorefrontSession | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    if (s.createdAt + SESSION_TTL_MS <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    return s;
  }

  endSession(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  createCart(customerId: number | null, currencyCode: string, locale: string): CartRecord {
    const t = this.now();
    const cart: CartRecord = {
      entityId: randomUUID(),
      customerId,
      currencyCode,
      locale,
      lines: [],
      createdAt: t,
      updatedAt: t,
      version: 1,
      urlToken: randomBytes(16).toString('hex'),
    };
    this.carts.set(cart.entityId, cart);
    return cart;
  }
}
