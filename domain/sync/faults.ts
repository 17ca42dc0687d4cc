/**
 * How the sync reads QBO's faults: the codes it reacts to (docs/qbo-facts.md §7; the QBO emulator's
 * emulators/qbo/core/faults.ts answers with the same codes and messages).
 */
import { QboValidationError } from '../errors';

export const FAULT = { duplicateName: '6240', duplicateDocNumber: '6140', stale: '5010', notFound: '610' } as const;

export function faultCode(err: unknown): string | undefined {
  if (!(err instanceof QboValidationError)) return undefined;
  const code = err.details?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Some integrations report a duplicate DocNumber as 6240 (docs/qbo-facts.md §7): match the message too. */
export function isDuplicateDocNumber(err: unknown): boolean {
  return (
    faultCode(err) === FAULT.duplicateDocNumber || (err instanceof QboValidationError && /Duplicate Document Number/i.test(err.message))
  );
}

/**
 * The `TxnId=…` QBO names in a 6140 duplicate DocNumber fault. A 6240 duplicate name names no Id
 * (docs/qbo-facts.md §7): see resolveNameClash.
 */
export function existingIdFrom(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  return /(?:Id|TxnId)=(\d+)/.exec(err.message)?.[1];
}

/** A reference QBO no longer accepts (a cached Item or customer deleted or made inactive). */
export function isStaleReference(err: unknown): boolean {
  return faultCode(err) === FAULT.notFound || (err instanceof Error && /Invalid Reference Id|inactive/i.test(err.message));
}

/**
 * What to do after a 6240 Duplicate Name on creating an Item or Customer. Real QBO does not say who
 * holds the name (the detail ends ": null", docs/qbo-facts.md §7), so the activity queries it by name,
 * inactive ones included (`Active IN (true, false)`), and hands the rows here:
 *   - the holder is acceptable (same product / customer) and active → adopt it (never a second Item,
 *     whose stock and cost of goods would then be booked apart);
 *   - acceptable but inactive → a person decides (make it active, or rename it): never used, since QBO
 *     refuses an inactive reference (610), and never re-activated behind the bookkeeper's back;
 *   - no holder of this type (a Vendor or Employee holds a DisplayName) or another product's → the next name.
 */
export type NameClash = { action: 'adopt'; qboId: string } | { action: 'inactive'; qboId: string } | { action: 'next' };

export function resolveNameClash(
  rows: ReadonlyArray<Record<string, unknown>>,
  field: 'Name' | 'DisplayName',
  name: string,
  accepts: (holder: Record<string, unknown>) => boolean,
): NameClash {
  const holder = rows.find((r) => typeof r[field] === 'string' && (r[field] as string).trim().toLowerCase() === name.trim().toLowerCase());
  if (!holder || !accepts(holder)) return { action: 'next' };
  const qboId = String(holder.Id);
  return holder.Active === false ? { action: 'inactive', qboId } : { action: 'adopt', qboId };
}
