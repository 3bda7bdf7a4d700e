const needsQuoting = /[",\r\n]/;

/** One CSV field as RFC 4180 writes it: quoted (with `""` for a quote) only when it must be. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return needsQuoting.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
