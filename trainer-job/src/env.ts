/**
 * A URL setting read from the environment once, at the edge: missing or malformed is a one-line
 * error that says what needs it.
 */
export function requiredUrlFromEnv(name: string, protocols: readonly string[], neededFor: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} is not set: ${neededFor} needs it`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a valid URL`);
  }
  if (!protocols.includes(url.protocol))
    throw new Error(`${name} must be a ${protocols.join(' or ')} URL, got ${url.protocol}`);
  return value;
}

/** The catalog database named by DATABASE_URL. */
export function databaseUrlFromEnv(): string {
  return requiredUrlFromEnv('DATABASE_URL', ['postgres:', 'postgresql:'], 'the catalog (PostgreSQL)');
}
