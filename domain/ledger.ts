/**
 * The sync ledger's vocabulary: one row per Shopify source object, keyed by a source key, holding the
 * QBO document it became and its status. Refunds, fees and payouts use the same keys and statuses.
 */
import { InvalidInputError } from './errors';
import { stableHashHex } from './hash';

export const SOURCE_KINDS = ['order', 'refund', 'payout', 'payout-fees'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export type SourceKey = `${SourceKind}:gid://shopify/${string}`;

const GID_TYPE_FOR_KIND: Readonly<Record<SourceKind, string>> = {
  order: 'Order',
  refund: 'Refund',
  payout: 'ShopifyPaymentsPayout',
  'payout-fees': 'ShopifyPaymentsPayout',
};

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/;

export function sourceKey(kind: SourceKind, gid: string): SourceKey {
  const match = GID.exec(gid);
  if (!match || match[1] !== GID_TYPE_FOR_KIND[kind]) {
    throw new InvalidInputError(
      `A ${kind} source key needs a gid://shopify/${GID_TYPE_FOR_KIND[kind]}/<number>, got ${JSON.stringify(gid)}`,
    );
  }
  return `${kind}:${gid}` as SourceKey;
}

export const orderSourceKey = (gid: string): SourceKey => sourceKey('order', gid);
export const refundSourceKey = (gid: string): SourceKey => sourceKey('refund', gid);
export const payoutSourceKey = (gid: string): SourceKey => sourceKey('payout', gid);
export const payoutFeesSourceKey = (gid: string): SourceKey => sourceKey('payout-fees', gid);

export function parseSourceKey(key: string): { kind: SourceKind; gid: string } {
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon) as SourceKind;
  if (colon < 0 || !SOURCE_KINDS.includes(kind)) {
    throw new InvalidInputError(`Unknown source key ${JSON.stringify(key)}`);
  }
  const gid = key.slice(colon + 1);
  sourceKey(kind, gid);
  return { kind, gid };
}

/**
 * pending: planned, not yet written · synced: in QBO · parked: needs a person (mapping, validation) ·
 * failed: gave up after retries · skipped: deliberately not booked (reason recorded) ·
 * voided: the QBO document was voided · ignored: a person chose not to book it ·
 * undone: a person's undo (POST /stores/:id/undo) deleted the QBO document; no run books it again until redone ·
 * held: built and kept for a person's review (settings `posting: review`, docs/review.md); not in QBO until approved.
 */
export const DOCUMENT_STATUSES = ['pending', 'synced', 'parked', 'failed', 'skipped', 'voided', 'ignored', 'undone', 'held'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export type QboDocumentType =
  'SalesReceipt' | 'Invoice' | 'Payment' | 'RefundReceipt' | 'CreditMemo' | 'Deposit' | 'JournalEntry' | 'Purchase' | 'Bill';

/**
 * A QBO `requestid` (docs/qbo-facts.md §2) for writing `fingerprint`'s version of a source's document: the same
 * content retried replays QBO's answer; an edited order gets a new id. 36 chars: within the batch limit.
 * `attempt` (the ledger row's send count) varies it per send: QBO replays a stored fault too, so a send after
 * a fault must not reuse the id (domain/sync `paymentRequestId`).
 */
export function qboRequestId(key: SourceKey, docType: QboDocumentType, fingerprint: string, attempt?: number): string {
  const content = attempt === undefined ? fingerprint : `${fingerprint}|attempt ${attempt}`;
  return `ll-${stableHashHex(`${key}|${docType}`)}-${stableHashHex(content)}`;
}
