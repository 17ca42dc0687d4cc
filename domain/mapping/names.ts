/**
 * Names and numbers Ledgerline writes into QBO: item names, customer display names, DocNumber, the
 * PrivateNote marker and TxnDate. All deterministic: the same order always yields the same strings.
 */
import { InvalidInputError } from '../errors';
import { stableHashBase36 } from '../hash';

/** docs/qbo-facts.md §4 limits. */
export const QBO_ITEM_NAME_MAX = 100;
export const QBO_DISPLAY_NAME_MAX = 500;
export const QBO_DOC_NUMBER_MAX = 21;
export const QBO_PRIVATE_NOTE_MAX = 4000;
export const QBO_DESCRIPTION_MAX = 4000;

/**
 * QBO rejects names containing ':' (the parent:child separator of sub-items and sub-customers), tabs
 * and line breaks with error 2040 "Invalid String"; emoji and control characters are refused the same
 * way. A colon becomes " - ", the rest a space.
 */
export function sanitizeQboName(text: string): string {
  return Array.from(text)
    .map((char) => {
      if (char === ':') return ' - ';
      const cp = char.codePointAt(0) ?? 0;
      return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp > 0xffff ? ' ' : char;
    })
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Fits `text` into `max` characters. A shortened name ends with '~' and a hash of the full text, so two
 * long names that share their first `max` characters stay distinct.
 */
export function fitName(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const suffix = ` ~${stableHashBase36(text, 6)}`;
  return `${chars
    .slice(0, max - suffix.length)
    .join('')
    .trimEnd()}${suffix}`;
}

export function qboName(text: string, max: number): string {
  return fitName(sanitizeQboName(text), max);
}

/** Shopify gives single-variant products the variant title "Default Title"; it names nothing. */
export function productDisplayName(title: string, variantTitle: string | null): string {
  const variant = variantTitle?.trim();
  return variant && variant !== 'Default Title' ? `${title.trim()} - ${variant}` : title.trim();
}

export interface CustomerNameSource {
  id?: string | null;
  displayName?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
}

const numericId = (gid: string | null | undefined): string | null => (gid ? (/(\d+)$/.exec(gid)?.[1] ?? null) : null);

/**
 * DisplayName is unique across Customer, Vendor and Employee (docs/qbo-facts.md §4), so a Shopify customer may
 * find their name taken by someone else. Candidates in order: the name, the name with the email, the
 * name with the Shopify customer number (unique per Shopify customer, so the last one always fits).
 */
export function customerDisplayNameCandidates(customer: CustomerNameSource): string[] {
  const email = customer.email?.trim() || null;
  const person = [customer.firstName, customer.lastName].filter((p) => p && p.trim()).join(' ');
  const id = numericId(customer.id);
  const base =
    sanitizeQboName(customer.displayName ?? '') ||
    sanitizeQboName(person) ||
    sanitizeQboName(email ?? '') ||
    `Shopify customer ${id ?? 'unknown'}`;
  const candidates = [base];
  if (email && sanitizeQboName(email) !== base) candidates.push(`${base} (${sanitizeQboName(email)})`);
  if (id) candidates.push(`${base} (Shopify ${id})`);
  return [...new Set(candidates.map((c) => fitName(c, QBO_DISPLAY_NAME_MAX)))];
}

/** The hash suffix of a shortened DocNumber: "-" and 6 base-36 characters (36^6 ≈ 2.2 billion values). */
const DOC_NUMBER_HASH_LENGTH = 6;

/**
 * DocNumber from the order name, at most 21 characters (docs/qbo-facts.md §4; Intuit's SalesReceipt and
 * Invoice references, https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/salesreceipt,
 * and the DocNumber maxLength in Intuit's v3 XSDs, emulators/qbo/schema/xsd/). The rule, in order
 * (README "DocNumbers"):
 *   1. `prefix + name`, the name without "#" and with spaces as "-" ("#1001" → "SH-1001"), when it fits;
 *   2. otherwise `prefix + order number + "-" + hash`: the order number is the last run of digits in
 *      the name (Shopify's number; a shop's own prefix and suffix around it are what made the name
 *      long), the hash 6 base-36 characters of the full name and the order's id, so two different
 *      long names (or two orders under one name) get different numbers, and one order the same number
 *      on every run;
 *   3. if even that is too long (a very long number), the number keeps its last digits (where order
 *      numbers differ), and a name without digits keeps its first characters.
 */
export function docNumberFor(orderName: string, prefix: string, orderId: string): string {
  const name = sanitizeQboName(orderName.replace(/#/g, '')).replace(/ /g, '-');
  const full = `${prefix}${name}`;
  if (Array.from(full).length <= QBO_DOC_NUMBER_MAX) return full;
  const suffix = `-${stableHashBase36(`${name}\u0000${orderId}`, DOC_NUMBER_HASH_LENGTH)}`;
  const room = QBO_DOC_NUMBER_MAX - Array.from(prefix).length - suffix.length;
  const digits = /(\d+)(?!.*\d)/.exec(name)?.[1];
  const head = digits ? Array.from(digits).slice(-room) : Array.from(name).slice(0, room);
  return `${prefix}${head.join('').replace(/-+$/, '')}${suffix}`;
}

/** The exact text activities search PrivateNote for; brackets keep gid …/12 from matching …/123. */
export function orderNoteMarker(orderGid: string): string {
  return `[${orderGid}]`;
}

export function privateNoteFor(orderName: string, orderGid: string, extra?: string): string {
  const note = `Shopify order ${orderName} ${orderNoteMarker(orderGid)} - booked by Ledgerline${extra ? `. ${extra}` : ''}`;
  return Array.from(note).slice(0, QBO_PRIVATE_NOTE_MAX).join('');
}

/**
 * The calendar date of an instant in the shop's IANA time zone, as QBO's TxnDate (YYYY-MM-DD).
 * Intl.DateTimeFormat is deterministic for a given instant and zone, so workflow code may call it.
 */
export function txnDateFor(isoInstant: string, timeZone: string): string {
  const instant = new Date(isoInstant);
  if (Number.isNaN(instant.getTime())) {
    throw new InvalidInputError(`Invalid timestamp ${JSON.stringify(isoInstant)}`);
  }
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  } catch {
    throw new InvalidInputError(`Invalid IANA time zone ${JSON.stringify(timeZone)}`);
  }
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}
