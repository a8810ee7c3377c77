import { randomBytes, randomUUID } from 'node:crypto';

/**
 * A value for GATEWAY_STOREFRONT_CLIENT_TOKENS. The gateway compares it whole (it is a shared secret, not verified
 * as a signature); it is JWT-shaped only because storefront clients such as Catalyst's treat a 401 for anything else
 * as a misconfigured storefront token. 256 random bits sit in the signature segment.
 */
export function mintClientToken(now: () => number = Date.now): string {
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = segment({ alg: 'none', typ: 'JWT' });
  const payload = segment({ iss: 'storefront-gateway', sub: 'storefront-server', jti: randomUUID(), iat: Math.floor(now() / 1000) });
  return `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}
