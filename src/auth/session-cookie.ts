/** The gateway session cookie: HttpOnly so scripts never read it; SameSite=Lax against cross-site posts. */
export interface CookieSettings {
  name: string;
  secure: boolean;
}

export function sessionCookie(settings: CookieSettings, token: string, maxAgeSeconds: number): string {
  const attributes = [`${settings.name}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, maxAgeSeconds)}`];
  if (settings.secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(settings: CookieSettings): string {
  return sessionCookie(settings, '', 0);
}
