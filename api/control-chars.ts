/**
 * Control characters never belong in what the API takes: a NUL is refused by PostgreSQL text columns
 * (a 500 before this check) and other C0 controls end up in QBO names, notes and logs. Ids and query
 * values may hold none; free text in a JSON body may hold tab, line feed and carriage return only.
 */
// Matching control characters is the point of these two patterns.
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The first place in `value` (a parsed params, query or JSON body) holding a forbidden character. */
export function controlCharacterAt(value: unknown, where: string, allowWhitespace: boolean, depth = 0): string | undefined {
  if (typeof value === 'string') return (allowWhitespace ? CONTROL_BUT_WHITESPACE : ANY_CONTROL).test(value) ? where : undefined;
  if (value === null || typeof value !== 'object' || depth > 32 || ArrayBuffer.isView(value)) return undefined;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const path = Array.isArray(value) ? `${where}[${key}]` : `${where}.${key}`;
    if (ANY_CONTROL.test(key)) return path;
    const found = controlCharacterAt(v, path, allowWhitespace, depth + 1);
    if (found) return found;
  }
  return undefined;
}
