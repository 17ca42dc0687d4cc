/**
 * Reads QBO back (through the real client) and holds it against Shopify (the emulator's stored
 * orders) to prove the invariants from the outside:
 *  1. exactly once — no Shopify order has two QBO sale documents;
 *  2. to the cent — each document's TotalAmt (as QBO computed it) and TotalTax equal Shopify's figures;
 *  3. per refund — exactly one refund document (RefundReceipt or CreditMemo) whose TotalAmt is the money
 *     Shopify sent back and whose TotalTax is the refunded tax;
 *  and the trial balance's debits equal its credits.
 */
import { expectedRefundTotals, expectedTotals, type QboSaleDocumentLike } from '../../domain/mapping';
import { fromQboAmount, toDecimalString } from '../../domain/money';
import type { ShopifyOrder, ShopifyOrderCore, ShopifyRefund } from '../../domain/shopify/types';
import type { ShopifyEmulator } from '../../emulators/shopify';
import type { QboClient } from '../../integrations/qbo/client';

type Entity = Record<string, any>;

const MARKER = /\[(gid:\/\/shopify\/Order\/\d+)\]/;
const REFUND_MARKER = /\[(gid:\/\/shopify\/Refund\/\d+)\]/;

export interface Books {
  shopifyOrders: ShopifyOrderCore[];
  /** Sale documents (SalesReceipt, Invoice) by the order gid in their PrivateNote. */
  documentsByOrder: Map<string, Entity[]>;
  payments: Entity[];
  /** Order names with more than one sale document. */
  duplicates: string[];
  /** `#1001: TotalAmt 10.00 ≠ 12.00` for documents that do not match their order. */
  mismatches: string[];
  trialBalance: { debits: number; credits: number };
  /** Live refund documents (RefundReceipt, CreditMemo; voided ones left out) by the refund gid in their PrivateNote. */
  refundDocuments: Map<string, Entity[]>;
  /** Every Shopify refund with its order. */
  shopifyRefunds: Array<{ order: ShopifyOrder; refund: ShopifyRefund }>;
  /** `#1001 refund …: TotalAmt 1.00 ≠ 2.00` and refunds with more than one document. */
  refundMismatches: string[];
}

function trialBalanceTotals(report: Entity): { debits: number; credits: number } {
  let debits = 0;
  let credits = 0;
  const cents = (v: string | undefined) => (v ? Math.round(Number(v) * 100) : 0);
  for (const row of report.Rows?.Row ?? []) {
    if (row.group === 'GrandTotal') continue;
    debits += cents(row.ColData?.[1]?.value);
    credits += cents(row.ColData?.[2]?.value);
  }
  return { debits, credits };
}

export async function readBooks(qbo: QboClient, shopify: ShopifyEmulator, shopDomain: string): Promise<Books> {
  const shopifyOrders = [...shopify.admin.shop(shopDomain).orders.values()] as unknown as ShopifyOrderCore[];
  const byId = new Map(shopifyOrders.map((o) => [o.id, o]));
  const docs = [
    ...(await qbo.query('SalesReceipt')).map((d): Entity => ({ ...d, _type: 'SalesReceipt' })),
    ...(await qbo.query('Invoice')).map((d): Entity => ({ ...d, _type: 'Invoice' })),
  ];
  const documentsByOrder = new Map<string, Entity[]>();
  for (const doc of docs) {
    const gid = MARKER.exec(String(doc.PrivateNote ?? ''))?.[1];
    if (!gid) continue;
    documentsByOrder.set(gid, [...(documentsByOrder.get(gid) ?? []), doc]);
  }
  const duplicates: string[] = [];
  const mismatches: string[] = [];
  for (const [gid, list] of documentsByOrder) {
    const order = byId.get(gid);
    if (!order) {
      mismatches.push(`${gid}: a QBO document for an order Shopify does not have`);
      continue;
    }
    if (list.length > 1) duplicates.push(`${order.name} (${list.map((d) => `${d._type} ${d.Id}`).join(', ')})`);
    const doc = list[0]!;
    const voided = order.cancelledAt !== null && Number(doc.TotalAmt) === 0;
    if (voided) continue;
    const want = expectedTotals(order);
    const total = fromQboAmount(Number(doc.TotalAmt), want.currency);
    const tax = fromQboAmount(Number((doc as QboSaleDocumentLike).TxnTaxDetail?.TotalTax ?? 0), want.currency);
    if (total.minor !== want.documentTotal.minor)
      mismatches.push(`${order.name}: TotalAmt ${toDecimalString(total)} ≠ ${toDecimalString(want.documentTotal)}`);
    if (tax.minor !== want.tax.minor) mismatches.push(`${order.name}: TotalTax ${toDecimalString(tax)} ≠ ${toDecimalString(want.tax)}`);
  }
  const refundDocs = [
    ...(await qbo.query('RefundReceipt')).map((d): Entity => ({ ...d, _type: 'RefundReceipt' })),
    ...(await qbo.query('CreditMemo')).map((d): Entity => ({ ...d, _type: 'CreditMemo' })),
  ];
  const refundDocuments = new Map<string, Entity[]>();
  for (const doc of refundDocs) {
    const gid = REFUND_MARKER.exec(String(doc.PrivateNote ?? ''))?.[1];
    if (!gid || String(doc.PrivateNote).startsWith('Voided')) continue;
    refundDocuments.set(gid, [...(refundDocuments.get(gid) ?? []), doc]);
  }
  const shopifyRefunds = (shopifyOrders as ShopifyOrder[]).flatMap((order) => (order.refunds ?? []).map((refund) => ({ order, refund })));
  const refundById = new Map(shopifyRefunds.map((r) => [r.refund.id, r]));
  const refundMismatches: string[] = [];
  for (const [gid, list] of refundDocuments) {
    const found = refundById.get(gid);
    if (!found) {
      refundMismatches.push(`${gid}: a QBO refund document for a refund Shopify does not have`);
      continue;
    }
    const label = `${found.order.name} refund ${gid}`;
    if (list.length > 1) refundMismatches.push(`${label}: ${list.length} documents (${list.map((d) => `${d._type} ${d.Id}`).join(', ')})`);
    const want = expectedRefundTotals(found.order, found.refund);
    const doc = list[0]!;
    const total = fromQboAmount(Number(doc.TotalAmt), want.total.currency);
    const tax = fromQboAmount(Number(doc.TxnTaxDetail?.TotalTax ?? 0), want.total.currency);
    if (total.minor !== want.total.minor)
      refundMismatches.push(`${label}: TotalAmt ${toDecimalString(total)} ≠ ${toDecimalString(want.total)}`);
    if (tax.minor !== want.tax.minor) refundMismatches.push(`${label}: TotalTax ${toDecimalString(tax)} ≠ ${toDecimalString(want.tax)}`);
  }
  const payments = await qbo.query('Payment');
  const trialBalance = trialBalanceTotals(await qbo.reportTrialBalance({ start_date: '2000-01-01', end_date: '2100-12-31' }));
  return {
    shopifyOrders,
    documentsByOrder,
    payments,
    duplicates,
    mismatches,
    trialBalance,
    refundDocuments,
    shopifyRefunds,
    refundMismatches,
  };
}

/**
 * Invariants 1 and 3 for refunds, from both sides: every Shopify refund has exactly one ledger row; a synced
 * row's document is the one live document QBO holds for that refund; any other row says why and has no live
 * document; plus every document's figures (`refundMismatches`). Empty when all hold.
 */
export function refundProblems(
  books: Books,
  rows: ReadonlyArray<{
    sourceKey: string;
    role: string;
    status: string;
    reason: string | null;
    qboId: string | null;
    qboType: string | null;
  }>,
): string[] {
  const problems = [...books.refundMismatches];
  const byKey = new Map(rows.filter((r) => r.role === 'refund').map((r) => [r.sourceKey, r]));
  for (const { order, refund } of books.shopifyRefunds) {
    const row = byKey.get(`refund:${refund.id}`);
    const docs = books.refundDocuments.get(refund.id) ?? [];
    const label = `${order.name} refund ${refund.id}`;
    if (!row) problems.push(`${label}: no ledger row`);
    else if (row.status === 'synced') {
      if (docs.length !== 1 || docs[0]!.Id !== row.qboId || docs[0]!._type !== row.qboType)
        problems.push(`${label}: synced as ${row.qboType} ${row.qboId}, QBO holds [${docs.map((d) => `${d._type} ${d.Id}`).join(', ')}]`);
    } else {
      if (!row.reason) problems.push(`${label}: ${row.status} without a reason`);
      if (docs.length > 0) problems.push(`${label}: ${row.status}, yet QBO holds ${docs.map((d) => `${d._type} ${d.Id}`).join(', ')}`);
    }
  }
  return problems;
}
