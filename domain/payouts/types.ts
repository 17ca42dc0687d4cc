/**
 * A Shopify Payments payout and its balance transactions as Ledgerline reads them: the Admin GraphQL 2026-10
 * fields (docs/shopify-facts.md "Shopify Payments"; test/fixtures/shopify-queries/payouts.graphql), with every
 * amount parsed into exact Money once, at the edge. Plain JSON throughout, so they travel in Temporal payloads.
 */
import { InvalidInputError } from '../errors';
import { parseMoney, type Money } from '../money';

/** `IN_TRANSIT` is deprecated in every version since 2025-10 ("Use SCHEDULED instead") but may still be served. */
export const PAYOUT_STATUSES = ['SCHEDULED', 'IN_TRANSIT', 'PAID', 'FAILED', 'CANCELED'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** DEPOSIT: money to the bank; WITHDRAWAL: Shopify debits the bank (a balance too low for a refund, §2.3). */
export type PayoutTransactionType = 'DEPOSIT' | 'WITHDRAWAL';

/** ShopifyPaymentsPayoutSummary: gross and fee per category. `usdcRebateCreditAmount` is absent from older reads. */
export interface PayoutSummary {
  chargesGross: Money;
  chargesFee: Money;
  refundsFeeGross: Money;
  refundsFee: Money;
  adjustmentsGross: Money;
  adjustmentsFee: Money;
  reservedFundsGross: Money;
  reservedFundsFee: Money;
  retriedPayoutsGross: Money;
  retriedPayoutsFee: Money;
  advanceGross: Money;
  advanceFees: Money;
  usdcRebateCreditAmount?: Money;
}

export interface Payout {
  /** gid://shopify/ShopifyPaymentsPayout/<n> */
  id: string;
  /** <n>: what `payments_transfer_id:` takes and what the DocNumber carries. */
  legacyResourceId: string;
  status: PayoutStatus;
  /** "The payout only contains balance transactions that were available at this time": its contents are fixed. */
  issuedAt: string;
  transactionType: PayoutTransactionType;
  /** "The total amount and currency of the payout". */
  net: Money;
  summary: PayoutSummary;
  externalTraceId?: string | null;
}

/** ShopifyPaymentsBalanceTransaction. `type` stays a string: Shopify adds types every few releases. */
export interface BalanceTransaction {
  /** gid://shopify/ShopifyPaymentsBalanceTransaction/<n> */
  id: string;
  type: string;
  /** ShopifyPaymentsSourceType: ADJUSTMENT, ADJUSTMENT_REVERSAL, CHARGE, DISPUTE, REFUND, SYSTEM_ADJUSTMENT, TRANSFER. */
  sourceType: string | null;
  sourceId: string | null;
  /** The numeric id of the OrderTransaction behind a charge or refund: what joins it to its QBO document. */
  sourceOrderTransactionId: string | null;
  /** Gross, signed as it moves the balance (a refund or withdrawal is negative). */
  amount: Money;
  fee: Money;
  /** amount − fee (asserted per row by checkPayoutArithmetic). */
  net: Money;
  associatedOrder: { id: string; name: string } | null;
  associatedPayout: { id: string | null; status: string | null };
  adjustmentReason: string | null;
  transactionDate: string;
  test: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the GraphQL nodes.

interface MoneyNode {
  amount: string;
  currencyCode?: string | null;
}

export interface PayoutNode {
  id: string;
  legacyResourceId: string;
  status: string;
  issuedAt: string;
  transactionType?: string | null;
  externalTraceId?: string | null;
  net: MoneyNode;
  summary: Partial<Record<keyof PayoutSummary, MoneyNode | null>>;
}

export interface BalanceTransactionNode {
  id: string;
  type: string;
  test?: boolean | null;
  transactionDate: string;
  sourceType?: string | null;
  sourceId?: string | number | null;
  sourceOrderTransactionId?: string | number | null;
  adjustmentReason?: string | null;
  amount: MoneyNode;
  fee: MoneyNode;
  net: MoneyNode;
  associatedOrder?: { id: string; name: string } | null;
  associatedPayout?: { id?: string | null; status?: string | null } | null;
}

/** A MoneyV2 read without its currency (the summary query may leave it out) takes the payout's. */
function money(node: MoneyNode | null | undefined, currency: string, what: string): Money {
  if (!node || typeof node.amount !== 'string') throw new InvalidInputError(`${what} is missing its amount`);
  return parseMoney(node.amount, node.currencyCode ?? currency);
}

/** Every money field of ShopifyPaymentsPayoutSummary (gross and fee per category), as the payout query selects them. */
export const PAYOUT_SUMMARY_FIELDS = [
  'chargesGross',
  'chargesFee',
  'refundsFeeGross',
  'refundsFee',
  'adjustmentsGross',
  'adjustmentsFee',
  'reservedFundsGross',
  'reservedFundsFee',
  'retriedPayoutsGross',
  'retriedPayoutsFee',
  'advanceGross',
  'advanceFees',
] as const;

/** A payout node → Payout; an unknown status or a malformed amount is refused (the payout is not guessed at). */
export function readPayout(node: PayoutNode): Payout {
  if (!(PAYOUT_STATUSES as readonly string[]).includes(node.status)) {
    throw new InvalidInputError(`Payout ${node.id} has an unknown status ${JSON.stringify(node.status)}`);
  }
  const transactionType = node.transactionType ?? 'DEPOSIT';
  if (transactionType !== 'DEPOSIT' && transactionType !== 'WITHDRAWAL') {
    throw new InvalidInputError(`Payout ${node.id} has an unknown transactionType ${JSON.stringify(transactionType)}`);
  }
  const net = money(node.net, node.net?.currencyCode ?? '', `Payout ${node.id} net`);
  const summaryOf = (field: keyof PayoutSummary): Money => money(node.summary?.[field], net.currency, `Payout ${node.id} summary.${field}`);
  const summary = Object.fromEntries(PAYOUT_SUMMARY_FIELDS.map((f) => [f, summaryOf(f)])) as unknown as PayoutSummary;
  if (node.summary?.usdcRebateCreditAmount) summary.usdcRebateCreditAmount = summaryOf('usdcRebateCreditAmount');
  return {
    id: node.id,
    legacyResourceId: String(node.legacyResourceId),
    status: node.status as PayoutStatus,
    issuedAt: node.issuedAt,
    transactionType,
    net,
    summary,
    externalTraceId: node.externalTraceId ?? null,
  };
}

const idText = (value: string | number | null | undefined): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);

export function readBalanceTransaction(node: BalanceTransactionNode): BalanceTransaction {
  const amount = money(node.amount, '', `Balance transaction ${node.id} amount`);
  return {
    id: node.id,
    type: node.type,
    sourceType: node.sourceType ?? null,
    sourceId: idText(node.sourceId),
    sourceOrderTransactionId: idText(node.sourceOrderTransactionId),
    amount,
    fee: money(node.fee, amount.currency, `Balance transaction ${node.id} fee`),
    net: money(node.net, amount.currency, `Balance transaction ${node.id} net`),
    associatedOrder: node.associatedOrder ? { id: node.associatedOrder.id, name: node.associatedOrder.name } : null,
    associatedPayout: { id: node.associatedPayout?.id ?? null, status: node.associatedPayout?.status ?? null },
    adjustmentReason: node.adjustmentReason ?? null,
    transactionDate: node.transactionDate,
    test: node.test === true,
  };
}

/** The trailing number of a gid (`gid://shopify/ShopifyPaymentsBalanceTransaction/42` → `42`). */
export function legacyIdOf(gid: string): string {
  return /(\d+)$/.exec(gid)?.[1] ?? gid;
}
