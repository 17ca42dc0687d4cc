/**
 * Which rows of a payout link which QBO document (docs/payouts.md "The Deposit", lines 1 and 2). QBO deposits a
 * transaction whole and once (docs/payouts.md), so the rows pointing at one document must add up to exactly the
 * money it left in its clearing account; otherwise each of them falls back to the clearing line with the reason.
 */
import { toDecimalString } from '../money';
import { countedRows } from './arithmetic';
import { categoryOf } from './categories';
import { isLinkedCategory, lookupFor, type ClearingDocument, type DocumentLookups } from './documents';
import { describeRow, type PayoutFlag } from './report';
import type { BalanceTransaction, Payout } from './types';

/** The contents of a failed or cancelled payout whose money a `retried_payout` row brings back. */
export interface RetriedContents {
  payout: Payout;
  transactions: readonly BalanceTransaction[];
}

/** A row the Deposit accounts for: one of the payout's own, or of a retried payout's contents (`via` its row). */
export interface Item {
  tx: BalanceTransaction;
  via: string | null;
  /** A retried_payout row whose contents stand in for its amount. */
  expanded?: boolean;
}

export interface LinkGroup {
  document: ClearingDocument;
  items: Item[];
}

export interface Fallback {
  item: Item;
  code: string;
  reason: string;
  /** The document that could not be linked, when there is one. */
  document: ClearingDocument | null;
}

export const docKey = (d: ClearingDocument): string => `${d.txnType}:${d.txnId}`;

/**
 * The rows standing for the payout: its own (without the TRANSFER row), with a retried payout's contents in place
 * of the row that brings its money back, when they are given and net to that row's amount.
 */
export function expandRetried(
  transactions: readonly BalanceTransaction[],
  retried: Readonly<Record<string, RetriedContents>> | undefined,
  flags: PayoutFlag[],
): Item[] {
  const items: Item[] = [];
  for (const tx of countedRows(transactions)) {
    if (categoryOf(tx) !== 'retried_payout') {
      items.push({ tx, via: null });
      continue;
    }
    const contents = retried?.[tx.id];
    const inner = contents ? countedRows(contents.transactions).filter((t) => t.net.currency === tx.amount.currency) : [];
    const innerNet = inner.reduce((s, t) => s + t.net.minor, 0);
    if (contents && inner.length > 0 && innerNet === tx.amount.minor) {
      items.push({ tx, via: null, expanded: true });
      for (const t of inner) items.push({ tx: t, via: tx.id });
      continue;
    }
    flags.push({
      transactionId: tx.id,
      code: contents ? 'retried_payout_mismatch' : 'retried_payout',
      reason: contents
        ? `${describeRow(tx)} brings back ${toDecimalString(tx.amount)}, but payout ${contents.payout.legacyResourceId}'s contents net ${toDecimalString({ currency: tx.amount.currency, minor: innerNet })}: booked to the clearing account`
        : `${describeRow(tx)} brings a failed or cancelled payout's money back; not knowing which, it is booked to the clearing account and that payout's documents stay undeposited`,
    });
    items.push({ tx, via: null });
  }
  return items;
}

/** Why a group of rows cannot link its document, or null when it can. */
function linkProblem(group: LinkGroup, bank: string | undefined, currency: string): { code: string; reason: string } | null {
  const d = group.document;
  const name = `${d.txnType} ${d.docNumber ?? d.txnId}`;
  if (d.depositedIn) return { code: 'already_deposited', reason: `${name} is already in Deposit ${d.depositedIn}` };
  if (bank !== undefined && d.clearingAccountId === bank)
    return { code: 'document_in_bank', reason: `${name} was deposited straight to the bank` };
  if (d.amount.currency !== currency)
    return { code: 'currency_mismatch', reason: `${name} is in ${d.amount.currency}, the payout in ${currency}` };
  const sum = group.items.reduce((s, i) => s + i.tx.amount.minor, 0);
  if (sum === d.amount.minor) return null;
  const rows = group.items.length;
  return {
    code: 'amount_mismatch',
    reason: `${name} holds ${toDecimalString(d.amount)} in its clearing account, ${rows === 1 ? 'this charge' : `these ${rows} rows`} ${toDecimalString({ currency, minor: sum })} (a split capture or a partly paid document cannot be linked whole)`,
  };
}

/** Charges and refunds grouped by the document they point at (in order of appearance); the rest fall back. */
export function planLinks(
  items: readonly Item[],
  documents: DocumentLookups,
  bank: string | undefined,
  currency: string,
): { linked: LinkGroup[]; fallbacks: Fallback[] } {
  const groups = new Map<string, LinkGroup>();
  const fallbacks: Fallback[] = [];
  for (const item of items) {
    if (item.expanded || !isLinkedCategory(item.tx)) continue;
    const found = lookupFor(item.tx, documents);
    if (found.status !== 'booked') {
      fallbacks.push({ item, code: found.code, reason: found.reason, document: null });
      continue;
    }
    const group = groups.get(docKey(found.document)) ?? { document: found.document, items: [] };
    group.items.push(item);
    groups.set(docKey(found.document), group);
  }
  const linked: LinkGroup[] = [];
  for (const group of groups.values()) {
    const problem = linkProblem(group, bank, currency);
    if (!problem) linked.push(group);
    else for (const item of group.items) fallbacks.push({ item, ...problem, document: group.document });
  }
  return { linked, fallbacks };
}
