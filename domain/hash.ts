/**
 * Short, stable, non-cryptographic hashes for deterministic names and keys. `crypto` is not available
 * in Temporal's workflow sandbox and domain/ must stay importable there, so this is plain FNV-1a.
 */

/** UTF-8 bytes by hand: TextEncoder is not guaranteed inside the workflow sandbox. */
function utf8Bytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return bytes;
}

function fnv1a32(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (const byte of utf8Bytes(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** 64 bits (two FNV-1a 32-bit passes with different offsets) as 16 lowercase hex digits. */
export function stableHashHex(text: string): string {
  const a = fnv1a32(text, 0x811c9dc5);
  const b = fnv1a32(`${text}\u0000`, 0x050c5d1f);
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** `length` base-36 characters (≤ 12) derived from the 64-bit hash; for human-visible suffixes. */
export function stableHashBase36(text: string, length: number): string {
  const value = BigInt(`0x${stableHashHex(text)}`);
  return value.toString(36).padStart(13, '0').slice(-Math.min(length, 12)).toUpperCase();
}
