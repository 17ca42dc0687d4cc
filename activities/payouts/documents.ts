/**
 * The QBO document behind each charge and refund of a payout (docs/payouts.md "Reading a payout"): a charge's
 * order's ledger rows (its SalesReceipt, or the Payment of an invoiced order), a refund's own row, found through
 * the refund whose order transactions hold the balance transaction's `sourceOrderTransactionId`. Reads the
 * ledger and, for refunds, Shopify; the meaning of each row is the payout domain's (documentLookupFromRow).
 */
import { listChildRows, listLedgerRows } from '../../db/queries';
import type { Db } from '../../db/client';
import { orderSourceKey, parseSourceKey } from '../../domain/ledger';
import {
  categoryOf,
  documentLookupFromRow,
  isLinkedCategory,
  legacyIdOf,
  rowForCharge,
  type BalanceTransaction,
  type DocumentLookup,
} from '../../domain/payouts';
import { gatewayTargetFor, type Settings } from '../../domain/settings';
import { groupOrderRows, REFUND_ROLE, type LedgerEntry } from '../../domain/sync';
import type { ShopifyClient } from '../../integrations/shopify/client';
import { readRefundTransactionIds } from '../../integrations/shopify/payouts';

/** The gateway whose money payouts carry: its documents sit in its clearing account (settings `gateways`). */
export const PAYOUT_GATEWAY = 'shopify_payments';

export async function resolvePayoutDocuments(p: {
  db: Db;
  shopify: ShopifyClient;
  storeId: string;
  settings: Settings;
  startDate: Date;
  currency: string;
  transactions: readonly BalanceTransaction[];
}): Promise<Record<string, DocumentLookup>> {
  const clearingAccountId = gatewayTargetFor(p.settings, PAYOUT_GATEWAY).depositAccountId;
  const linked = p.transactions.filter((t) => isLinkedCategory(t) && t.sourceOrderTransactionId !== null);
  const orderKeys = [...new Set(linked.flatMap((t) => (t.associatedOrder ? [orderSourceKey(t.associatedOrder.id)] : [])))];
  const orders = groupOrderRows(await listLedgerRows(p.db, { storeId: p.storeId, sourceKeys: orderKeys }));

  // Refunds: which refund holds each refunded order transaction (Shopify knows; the ledger holds the refund's row).
  const refundRows = new Map<string, LedgerEntry>();
  const needsRefunds = linked.some(categoryIsRefund);
  if (needsRefunds) {
    for (const row of await listChildRows(p.db, { storeId: p.storeId, parentKeys: orderKeys })) {
      if (row.role === REFUND_ROLE) refundRows.set(parseSourceKey(row.sourceKey).gid, row);
    }
  }
  const refundOfTransaction = new Map<string, string>();
  if (refundRows.size > 0) {
    const byRefund = await readRefundTransactionIds(p.shopify, [...refundRows.keys()]);
    for (const [refundGid, txIds] of byRefund) for (const txId of txIds) refundOfTransaction.set(legacyIdOf(txId), refundGid);
  }

  const out: Record<string, DocumentLookup> = {};
  for (const tx of linked) {
    const key = tx.sourceOrderTransactionId!;
    const name = tx.associatedOrder?.name ?? `transaction ${key}`;
    const beforeStart = Date.parse(tx.transactionDate) < p.startDate.getTime();
    if (!tx.associatedOrder) {
      out[key] = { status: 'never', code: 'no_order', reason: `${tx.type} ${legacyIdOf(tx.id)} names no order` };
      continue;
    }
    if (categoryIsRefund(tx)) {
      const refundGid = refundOfTransaction.get(key);
      const row = refundGid ? refundRows.get(refundGid) : undefined;
      out[key] =
        !row && beforeStart
          ? beforeStartDate(`order ${name}'s refund`)
          : row
            ? documentLookupFromRow(row, `order ${name}'s refund`, clearingAccountId, p.currency)
            : { status: 'missing', code: 'refund_not_synced', reason: `order ${name}'s refund is not booked yet` };
      continue;
    }
    const rows = orders.get(orderSourceKey(tx.associatedOrder.id)) ?? {};
    const row = rowForCharge(rows);
    out[key] =
      !row && beforeStart ? beforeStartDate(`order ${name}`) : documentLookupFromRow(row, `order ${name}`, clearingAccountId, p.currency);
  }
  return out;
}

/** Orders before the store's start date are deliberately not synced: their money goes to the clearing line at once. */
function beforeStartDate(what: string): DocumentLookup {
  return { status: 'never', code: 'before_start_date', reason: `${what} is before the store's start date, so it is not in QBO` };
}

function categoryIsRefund(tx: BalanceTransaction): boolean {
  return categoryOf(tx) === 'refund';
}
