import { errors as joseErrors, jwtVerify } from 'jose';
import { gatewayError } from '../errors';

/** Tolerance for clock differences between BigCommerce and the gateway when checking `exp`/`iat`/`nbf`. */
export const CURRENT_CUSTOMER_CLOCK_TOLERANCE_SECONDS = 30;
/** BigCommerce's tokens last 15 minutes; anything claiming longer is not one of them. */
const MAX_LIFETIME_SECONDS = 15 * 60;

export interface VerifiedCurrentCustomer {
  customerId: number;
  email: string;
  customerGroupId: number;
  /** The token's `exp`, unix seconds. */
  expiresAt: number;
}

export type CurrentCustomerFailure =
  | 'MALFORMED'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'SIGNATURE_INVALID'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'CLAIM_INVALID'
  | 'ALREADY_USED';

export function rejected(reason: CurrentCustomerFailure, detail: string) {
  return gatewayError('UNAUTHENTICATED', `Current Customer JWT rejected: ${detail}`, { reason });
}

/** Maps jose failures by their `code` (never their message) to a client-facing error. */
function mapJoseError(error: unknown) {
  const code = error instanceof joseErrors.JOSEError ? error.code : undefined;
  switch (code) {
    case joseErrors.JWTExpired.code:
      return rejected('EXPIRED', 'token has expired');
    case joseErrors.JWTClaimValidationFailed.code: {
      const claim = (error as InstanceType<typeof joseErrors.JWTClaimValidationFailed>).claim;
      if (claim === 'iat' || claim === 'nbf') return rejected('NOT_YET_VALID', 'token is not valid yet');
      return rejected('CLAIM_INVALID', `claim "${claim}" is invalid`);
    }
    case joseErrors.JWSSignatureVerificationFailed.code:
      return rejected('SIGNATURE_INVALID', 'signature does not verify');
    case joseErrors.JOSEAlgNotAllowed.code:
    case joseErrors.JOSENotSupported.code:
      return rejected('ALGORITHM_NOT_ALLOWED', 'only HS256 is accepted');
    default:
      return rejected('MALFORMED', 'not a well-formed JWT');
  }
}

/**
 * Verifies BigCommerce Current Customer JWTs (`/customer/current.jwt`, FACTS.md §4): HS256 with the
 * client secret, `iss` bc/apps, `aud` client id, `operation` current_customer, this store's hash.
 */
export function createCurrentCustomerVerifier(deps: { clientId: string; clientSecret: string; storeHash: string; now: () => number }) {
  const key = new TextEncoder().encode(deps.clientSecret);
  return async (jwt: string): Promise<VerifiedCurrentCustomer> => {
    if (jwt.length > 8192) throw rejected('MALFORMED', 'token is too long');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt, key, {
        algorithms: ['HS256'],
        issuer: 'bc/apps',
        audience: deps.clientId,
        currentDate: new Date(deps.now()),
        clockTolerance: CURRENT_CUSTOMER_CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: MAX_LIFETIME_SECONDS + CURRENT_CUSTOMER_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      throw mapJoseError(error);
    }
    if (payload.operation !== 'current_customer') throw rejected('CLAIM_INVALID', 'claim "operation" is invalid');
    if (payload.store_hash !== deps.storeHash) throw rejected('CLAIM_INVALID', 'claim "store_hash" is invalid');
    const customer = payload.customer as { id?: unknown; email?: unknown; group_id?: unknown } | undefined;
    const groupId = Number(customer?.group_id);
    if (!customer || typeof customer.id !== 'number' || typeof customer.email !== 'string' || !Number.isInteger(groupId)) {
      throw rejected('CLAIM_INVALID', 'claim "customer" is invalid');
    }
    return { customerId: customer.id, email: customer.email, customerGroupId: groupId, expiresAt: Number(payload.exp) };
  };
}
