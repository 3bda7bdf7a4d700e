import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Double-submit cookie: every page sets a random token in a SameSite=Strict cookie and puts the
 * same token in its forms; a form post is accepted only when both are present and equal. Another
 * site can make a browser send the cookie (not with SameSite=Strict, but older browsers) yet can
 * neither read it nor guess it, so it cannot forge the form field.
 */
export const csrfCookie = 'prodclass_csrf';
export const csrfField = '_csrf';

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function csrfCookieHeader(token: string, secure: boolean): string {
  return `${csrfCookie}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function csrfMatches(cookie: string | undefined, field: unknown): boolean {
  if (!cookie || typeof field !== 'string' || !/^[A-Za-z0-9_-]{32}$/.test(cookie)) return false;
  const a = Buffer.from(cookie);
  const b = Buffer.from(field);
  return a.length === b.length && timingSafeEqual(a, b);
}
