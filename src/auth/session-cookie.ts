/** The gateway session cookie: HttpOnly so scripts never read it; SameSite=Lax against cross-site posts. */
export interface CookieSettings {
  name: string;
  secure: boolean;
}

/**
 * Browsers accept a `__Host-` cookie only with Secure, Path=/ and no Domain, and a `__Secure-` one only
 * with Secure (RFC 6265bis §4.1.3). The cookie never carries Domain (host-only) and always Path=/; a
 * prefixed name gets Secure even if the settings forgot it, so the cookie is never silently dropped.
 */
function needsSecure(name: string): boolean {
  return name.startsWith('__Host-') || name.startsWith('__Secure-');
}

export function sessionCookie(settings: CookieSettings, token: string, maxAgeSeconds: number): string {
  const attributes = [`${settings.name}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, maxAgeSeconds)}`];
  if (settings.secure || needsSecure(settings.name)) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(settings: CookieSettings): string {
  return sessionCookie(settings, '', 0);
}
