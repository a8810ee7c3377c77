import { jwtVerify } from 'jose';
import { gatewayError } from '../errors';
import { canonicalSignature, digest, joseFailure, type JoseFailure } from './jws-canonical';

/** Tolerance for clock differences between BigCommerce and the gateway when checking `exp`/`iat`/`nbf`. */
export const CURRENT_CUSTOMER_CLOCK_TOLERANCE_SECONDS = 30;
/**
 * "Current customer tokens are valid for 15 minutes" (developer.bigcommerce.com/docs/start/authentication/current-customer):
 * BigCommerce issues them with `exp - iat = 900`; a token claiming a longer life is not one of theirs.
 */
export const CURRENT_CUSTOMER_MAX_LIFETIME_SECONDS = 15 * 60;
/** Far above any genuine token (a few hundred bytes), low enough that verifying stays cheap. */
const MAX_TOKEN_LENGTH = 8192;

export interface VerifiedCurrentCustomer {
  customerId: number;
  email: string;
  customerGroupId: number;
  /** The token's `exp`, unix seconds. */
  expiresAt: number;
  /**
   * What makes this token single-use: `key` names the token by what it means (issuer and `jti` when it has
   * one, else its signature bytes) — never by its text, which has other spellings — and `forgetAtSeconds` is
   * when the verifier stops accepting it (`exp` + clock tolerance), so the claim is kept exactly that long.
   */
  singleUse: { key: string; forgetAtSeconds: number; issuedAtSeconds: number };
}

export type CurrentCustomerFailure = JoseFailure | 'ALREADY_USED';

export function rejected(reason: CurrentCustomerFailure, detail: string) {
  return gatewayError('UNAUTHENTICATED', `Current Customer JWT rejected: ${detail}`, { reason });
}

/** jose's failures, in this verifier's words. */
function mapJoseError(error: unknown) {
  const { reason, detail } = joseFailure(error);
  return rejected(reason, detail);
}

/**
 * Verifies BigCommerce Current Customer JWTs (developer.bigcommerce.com/docs/start/authentication/current-customer):
 * HS256 with the client secret, `iss` bc/apps, `aud` client id, `operation` current_customer, this store's hash,
 * a lifetime of at most 15 minutes.
 */
export function createCurrentCustomerVerifier(deps: { clientId: string; clientSecret: string; storeHash: string; now: () => number }) {
  const key = new TextEncoder().encode(deps.clientSecret);
  return async (jwt: string): Promise<VerifiedCurrentCustomer> => {
    if (jwt.length > MAX_TOKEN_LENGTH) throw rejected('MALFORMED', 'token is too long');
    const canonical = canonicalSignature(jwt);
    if ('refused' in canonical) throw rejected('MALFORMED', canonical.refused);
    const { signature } = canonical;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt, key, {
        algorithms: ['HS256'],
        issuer: 'bc/apps',
        audience: deps.clientId,
        currentDate: new Date(deps.now()),
        // jose accepts a token while `exp > now - clockTolerance` and `now - iat - clockTolerance <= maxTokenAge`:
        // the tolerance applies on both, so maxTokenAge is the plain lifetime.
        clockTolerance: CURRENT_CUSTOMER_CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: CURRENT_CUSTOMER_MAX_LIFETIME_SECONDS,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      throw mapJoseError(error);
    }
    const exp = payload.exp as number;
    const iat = payload.iat as number;
    // BigCommerce's tokens live 15 minutes; a longer-lived one would stay replayable (and spendable) longer.
    if (exp - iat > CURRENT_CUSTOMER_MAX_LIFETIME_SECONDS) throw rejected('CLAIM_INVALID', 'token lifetime (exp - iat) exceeds 15 minutes');
    if (exp <= iat) throw rejected('CLAIM_INVALID', 'claim "exp" must be after "iat"');
    if (payload.operation !== 'current_customer') throw rejected('CLAIM_INVALID', 'claim "operation" is invalid');
    if (payload.store_hash !== deps.storeHash) throw rejected('CLAIM_INVALID', 'claim "store_hash" is invalid');
    if (payload.jti !== undefined && (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256)) {
      throw rejected('CLAIM_INVALID', 'claim "jti" is invalid');
    }
    const customer = payload.customer as { id?: unknown; email?: unknown; group_id?: unknown } | undefined;
    const groupId = Number(customer?.group_id);
    if (!customer || typeof customer.id !== 'number' || typeof customer.email !== 'string' || !Number.isInteger(groupId)) {
      throw rejected('CLAIM_INVALID', 'claim "customer" is invalid');
    }
    // RFC 7519 §4.1.7: a jti is unique per issuer. Without one (BigCommerce's documented tokens have none),
    // the HMAC signature identifies the exact header and payload: HS256 is deterministic, and the canonical
    // checks above leave each signature one spelling.
    const replayKey =
      typeof payload.jti === 'string' ? `cc-jwt:jti:${digest('bc/apps', payload.jti)}` : `cc-jwt:sig:${digest(signature)}`;
    return {
      customerId: customer.id,
      email: customer.email,
      customerGroupId: groupId,
      expiresAt: exp,
      // jose refuses the token once `exp <= now - tolerance` (whole seconds): from exp + tolerance on.
      singleUse: { key: replayKey, forgetAtSeconds: Math.ceil(exp) + CURRENT_CUSTOMER_CLOCK_TOLERANCE_SECONDS, issuedAtSeconds: iat },
    };
  };
}
