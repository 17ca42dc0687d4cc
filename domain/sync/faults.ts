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

/** The `Id=…` QBO names in duplicate faults, when it does. */
export function existingIdFrom(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  return /(?:Id|TxnId)=(\d+)/.exec(err.message)?.[1];
}

/** A reference QBO no longer accepts (a cached Item or customer deleted or made inactive). */
export function isStaleReference(err: unknown): boolean {
  return faultCode(err) === FAULT.notFound || (err instanceof Error && /Invalid Reference Id|inactive/i.test(err.message));
}
