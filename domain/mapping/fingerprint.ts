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
