/**
 * A canonical string of the fields Ledgerline controls in a document it built. The ledger stores it with
 * the QBO Id; when an edited Shopify order builds a document with another fingerprint, the activity
 * updates that QBO document (Id + SyncToken) instead of creating a second one.
 */

/** Top-level fields Ledgerline writes on SalesReceipt, Invoice and Payment. */
const CONTROLLED_FIELDS = [
  'TxnDate',
  'DocNumber',
  'PrivateNote',
  'CustomerRef',
  'Line',
  'TxnTaxDetail',
  'GlobalTaxCalculation',
  'ClassRef',
  'DepartmentRef',
  'BillAddr',
  'ShipAddr',
  'DepositToAccountRef',
  'PaymentMethodRef',
  'TotalAmt',
] as const;

/** Set by QBO, never by Ledgerline: line ids and numbers, and the display names QBO adds to refs. */
const QBO_MANAGED = new Set(['Id', 'LineNum', 'SyncToken', 'MetaData', 'sparse', 'domain']);

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const isRef = typeof record.value === 'string';
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      if (QBO_MANAGED.has(key) || (isRef && key === 'name') || record[key] === undefined) continue;
      out[key] = canonical(record[key]);
    }
    return out;
  }
  return value;
}

export function documentFingerprint(doc: object): string {
  const record = doc as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const field of CONTROLLED_FIELDS) {
    if (record[field] !== undefined) picked[field] = record[field];
  }
  return JSON.stringify(canonical(picked));
}

/**
 * The document QBO holds seen through a fingerprint: each field the fingerprinted version wrote, taken
 * from `doc` (recursively; keys QBO adds ignored). Lists (lines) compare as sets: QBO adds its own
 * SubTotalLineDetail line and moves discount lines after it, so each line QBO holds must match one
 * written line, and none may be left over. Compared with the fingerprint itself, it says whether the
 * fields Ledgerline wrote still hold what it wrote, whatever QBO added around them (ids, line numbers,
 * display names, computed tax lines).
 */
function seenThrough(actual: unknown, written: unknown): unknown {
  if (Array.isArray(written)) {
    if (!Array.isArray(actual)) return actual;
    const isSubTotal = (x: unknown) => (x as Record<string, unknown> | null)?.DetailType === 'SubTotalLineDetail';
    const kept = written.some(isSubTotal) ? actual : actual.filter((a) => !isSubTotal(a));
    if (kept.length !== written.length) return canonical(kept);
    const wanted = written.map((w) => JSON.stringify(w));
    const used = new Set<number>();
    for (const a of kept) {
      const i = wanted.findIndex((w, j) => !used.has(j) && JSON.stringify(seenThrough(a, written[j])) === w);
      if (i < 0) return canonical(kept);
      used.add(i);
    }
    return written;
  }
  if (written !== null && typeof written === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return actual;
    const record = actual as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(written)) out[key] = seenThrough(record[key], (written as Record<string, unknown>)[key]);
    return out;
  }
  return actual;
}

/**
 * Does the document QBO holds still carry, in every field Ledgerline controls, exactly the version
 * `fingerprint` describes? False when a person changed, added or removed any of them (a line, an amount,
 * the date, the customer, …); true when only fields Ledgerline does not write changed (a memo, an
 * attachment), which a sparse update leaves alone. A fingerprint that cannot be read matches nothing.
 */
export function holdsFingerprint(doc: object, fingerprint: string): boolean {
  let written: unknown;
  try {
    written = JSON.parse(fingerprint);
  } catch {
    return false;
  }
  if (written === null || typeof written !== 'object' || Array.isArray(written)) return false;
  return JSON.stringify(seenThrough(doc, written)) === fingerprint;
}
