/**
 * One Shopify Payments payout → one QBO Deposit into the bank (docs/payouts.md "The Deposit"; invariant 4):
 *  1. one linked line per document holding a charge's or refund's money in a clearing account (LinkedTxn only,
 *     docs/payouts.md), for exactly that document's amount (link.ts);
 *  2. a clearing line for each charge or refund that cannot be linked, flagged with the reason;
 *  3. one negative line for Σ fee of the rows, to the fee account, naming the fee vendor (fees booked = Σ fees);
 *  4. one line per other row (disputes, chargeback fees, reserves and releases, Capital, shipping labels, billing,
 *     duties, adjustments) at its gross amount to its category's account; unknown types to the adjustments
 *     account, flagged;
 *  5. for a negative payout, the link to the JournalEntry that takes |net| out of the bank (journal.ts).
 * Σ lines = Σ (amount − fee) = Σ net of the rows = the payout's net (0 for a negative payout). The report maps
 * every balance transaction to its line and gives each clearing account's net change from the payout's contents.
 * Pure: the saga posts `plan.journalEntry` (if any), then `linkJournalEntry(plan.deposit, id)`.
 */
import { toDecimalString, toQboAmount, type Money } from '../money';
import { txnDateFor } from '../mapping/names';
import type { Settings } from '../settings';
import { ACCOUNT_SETTING, CATEGORY_ACCOUNT, resolvePayoutAccounts, type AccountKey, type PayoutAccounts } from './accounts';
import { expectedDepositTotal, signedPayoutNet } from './arithmetic';
import { categoryOf } from './categories';
import { isLinkedCategory, type DocumentLookups } from './documents';
import { negativePayoutJournal } from './journal';
import { docKey, expandRetried, planLinks, type Fallback, type Item, type LinkGroup, type RetriedContents } from './link';
import { payoutDocNumber, payoutPrivateNote } from './names';
import type { QboDepositBody, QboDepositDetailLine, QboDepositLine, QboJournalEntryBody } from './qbo-types';
import { describeRow, refOf, rowReport, type DepositPlan, type LineReport, type PayoutFlag, type RowReport } from './report';
import type { BalanceTransaction, Payout } from './types';

export interface BuildDepositInput {
  payout: Payout;
  transactions: readonly BalanceTransaction[];
  /** The document of every charge and refund (own and retried), by `sourceOrderTransactionId`. */
  documents: DocumentLookups;
  settings: Settings;
  /** The shop's IANA time zone: TxnDate is the payout's date there. */
  timeZone: string;
  /** Keyed by the id of the retried_payout row (TRANSFER_FAILURE, …) that brings that payout's money back. */
  retried?: Readonly<Record<string, RetriedContents>>;
}

export type BuildDepositResult =
  | { ok: true; plan: DepositPlan }
  | { ok: false; code: 'needs_mapping'; missing: string[]; reason: string }
  | { ok: false; code: 'arithmetic_mismatch' | 'nothing_to_post'; reason: string };

const DESCRIPTION_MAX = 4000;
const money = (currency: string, minor: number): Money => ({ currency, minor: minor === 0 ? 0 : minor });
/** Categories whose lines name the fee vendor: what Shopify itself charges. */
const VENDOR_CATEGORIES = new Set(['fee', 'billing', 'shipping_label']);

/** The Deposit's lines as they are built, with what the report needs of each. */
class Sheet {
  readonly lines: { body: QboDepositLine; report: Omit<LineReport, 'index'> }[] = [];
  readonly rows = new Map<Item, RowReport>();
  readonly clearing = new Map<string, number>();
  readonly flags: PayoutFlag[] = [];
  readonly needed = new Set<AccountKey>(['bank']);

  constructor(
    readonly currency: string,
    readonly accounts: PayoutAccounts,
  ) {}

  add(body: QboDepositLine, report: Omit<LineReport, 'index'>): number {
    this.lines.push({ body, report });
    return this.lines.length - 1;
  }

  row(item: Item, at: Parameters<typeof rowReport>[3]): void {
    this.rows.set(item, rowReport(item.tx, categoryOf(item.tx), item.via, at));
  }

  flag(tx: BalanceTransaction, code: string, reason: string): void {
    if (!this.flags.some((f) => f.code === code && f.transactionId === tx.id)) this.flags.push({ transactionId: tx.id, code, reason });
  }

  /** A clearing account's balance moved by the payout's contents (+ their documents, − this Deposit). */
  move(accountId: string | undefined, minor: number): void {
    if (accountId !== undefined) this.clearing.set(accountId, (this.clearing.get(accountId) ?? 0) + minor);
  }

  account(key: AccountKey): string {
    this.needed.add(key);
    return this.accounts[key] ?? `unmapped:${key}`;
  }

  detail(minor: number, description: string, accountId: string, vendor: boolean): QboDepositDetailLine {
    const { feeVendor, classId } = this.accounts;
    return {
      Amount: toQboAmount(money(this.currency, minor)),
      DetailType: 'DepositLineDetail',
      Description: Array.from(description).slice(0, DESCRIPTION_MAX).join(''),
      DepositLineDetail: {
        AccountRef: { value: accountId },
        ...(vendor && feeVendor ? { Entity: { value: feeVendor, type: 'Vendor' as const } } : {}),
        ...(classId ? { ClassRef: { value: classId } } : {}),
      },
    };
  }
}

/** 1. One line per document, for exactly its amount; its clearing account gets back what it gave. */
function linkedLines(sheet: Sheet, linked: LinkGroup[]): void {
  for (const { document: d, items } of linked) {
    const index = sheet.add(
      { Amount: toQboAmount(d.amount), LinkedTxn: [{ TxnId: d.txnId, TxnType: d.txnType, TxnLineId: '0' }] },
      {
        kind: 'linked',
        amount: d.amount,
        description: `${d.txnType} ${d.docNumber ?? d.txnId}`,
        accountId: d.clearingAccountId,
        document: refOf(d),
        transactionIds: items.map((i) => i.tx.id),
      },
    );
    for (const item of items) sheet.row(item, { outcome: 'linked', lineIndex: index, document: refOf(d), accountId: d.clearingAccountId });
    sheet.move(d.clearingAccountId, d.amount.minor); // the document put it there
    sheet.move(d.clearingAccountId, -d.amount.minor); // this Deposit takes it out
  }
}

/** 2. The clearing line for each charge or refund that cannot be linked. */
function clearingLines(sheet: Sheet, fallbacks: Fallback[]): void {
  const stranded = new Set<string>();
  for (const f of fallbacks) {
    const { tx } = f.item;
    const accountId = sheet.account('clearing');
    const description = `${describeRow(tx)}: not linked - ${f.reason}`;
    const document = f.document ? refOf(f.document) : null;
    const index = sheet.add(sheet.detail(tx.amount.minor, description, accountId, false), {
      kind: 'clearing',
      amount: tx.amount,
      description,
      accountId,
      document,
      transactionIds: [tx.id],
    });
    sheet.row(f.item, { outcome: 'clearing', lineIndex: index, document, accountId });
    sheet.flag(tx, f.code, `${describeRow(tx)}: ${f.reason}`);
    sheet.move(sheet.accounts.clearing, -tx.amount.minor);
    // A document holding other money than its rows stays undeposited where it is: the payout's contents put it there
    // and nothing takes it out. (One already deposited, in the bank or in another currency is not this payout's.)
    if (f.code === 'amount_mismatch' && f.document && !stranded.has(docKey(f.document))) {
      stranded.add(docKey(f.document));
      sheet.move(f.document.clearingAccountId, f.document.amount.minor);
    }
  }
}

/** 3. Σ fee of every row on one negative line (invariant 4: fees booked = Σ fees). */
function feeLine(sheet: Sheet, items: readonly Item[]): number {
  const charged = items.filter((i) => i.tx.fee.minor !== 0);
  const feeMinor = charged.reduce((s, i) => s + i.tx.fee.minor, 0);
  if (feeMinor === 0) return 0;
  const accountId = sheet.account('fees');
  const description = `Shopify Payments fees (${charged.length} transactions)`;
  sheet.add(sheet.detail(-feeMinor, description, accountId, true), {
    kind: 'fees',
    amount: money(sheet.currency, -feeMinor),
    description,
    accountId,
    document: null,
    transactionIds: charged.map((i) => i.tx.id),
  });
  return feeMinor;
}

const FLAGS: Partial<Record<string, (tx: BalanceTransaction) => string>> = {
  unknown: (tx) => `${describeRow(tx)}: a balance transaction type Ledgerline does not know, booked to the adjustments account`,
  sale_adjustment: (tx) =>
    `${describeRow(tx)}: the money of a sale or refund changed after it was booked; its QBO document may need correcting`,
  retried_payout: (tx) => `${describeRow(tx)}: money of a failed or cancelled payout, booked to the clearing account`,
};
const FLAG_CODE: Partial<Record<string, string>> = {
  unknown: 'unknown_type',
  sale_adjustment: 'sale_adjustment',
  retried_payout: 'retried_payout',
};

/** 4. Every other row at its gross amount, to its category's account. */
function categoryLines(sheet: Sheet, items: readonly Item[]): void {
  for (const item of items) {
    const { tx } = item;
    const category = categoryOf(tx);
    if (item.expanded) {
      sheet.row(item, { outcome: 'expanded' });
      continue;
    }
    const key = CATEGORY_ACCOUNT[category];
    if (isLinkedCategory(tx) || key === null) continue;
    const flag = FLAGS[category];
    if (flag && !sheet.flags.some((f) => f.transactionId === tx.id)) sheet.flag(tx, FLAG_CODE[category] as string, flag(tx));
    if (tx.amount.minor === 0) {
      sheet.row(item, { outcome: 'fee_only' });
      continue;
    }
    const accountId = sheet.account(key);
    const description = describeRow(tx);
    const index = sheet.add(sheet.detail(tx.amount.minor, description, accountId, VENDOR_CATEGORIES.has(category)), {
      kind: 'category',
      amount: tx.amount,
      description,
      accountId,
      document: null,
      transactionIds: [tx.id],
    });
    sheet.row(item, { outcome: 'line', lineIndex: index, accountId });
    if (category === 'retried_payout') sheet.move(sheet.accounts.clearing, -tx.amount.minor);
  }
}

export function buildDeposit(input: BuildDepositInput): BuildDepositResult {
  const { payout } = input;
  const currency = payout.net.currency;
  const sheet = new Sheet(currency, resolvePayoutAccounts(input.settings));
  const items = expandRetried(input.transactions, input.retried, sheet.flags);
  const foreign = items.find(({ tx }) => [tx.amount, tx.fee, tx.net].some((m) => m.currency !== currency));
  if (foreign) {
    return {
      ok: false,
      code: 'arithmetic_mismatch',
      reason: `Balance transaction ${foreign.tx.id} is not in the payout's currency ${currency}`,
    };
  }
  const { linked, fallbacks } = planLinks(items, input.documents, sheet.accounts.bank, currency);
  linkedLines(sheet, linked);
  clearingLines(sheet, fallbacks);
  const feeMinor = feeLine(sheet, items);
  categoryLines(sheet, items);

  const missing = [...sheet.needed].filter((k) => sheet.accounts[k] === undefined).map((k) => ACCOUNT_SETTING[k]);
  if (missing.length > 0) {
    return { ok: false, code: 'needs_mapping', missing, reason: `Payout ${payout.legacyResourceId} needs ${missing.join(', ')}` };
  }
  const accounts = { ...sheet.accounts, bank: sheet.accounts.bank as string };
  const header = { docNumber: payoutDocNumber(payout.legacyResourceId), txnDate: txnDateFor(payout.issuedAt, input.timeZone) };

  // 5. A negative payout: the JournalEntry's debit line, linked for |net|, nets the Deposit to zero.
  const net = signedPayoutNet(payout);
  let journalEntry: QboJournalEntryBody | null = null;
  if (net.minor < 0) {
    const negative = negativePayoutJournal(payout, money(currency, -net.minor), accounts, header);
    journalEntry = negative.journalEntry;
    sheet.add(negative.line, negative.report);
    sheet.move(accounts.paymentsClearing, -net.minor); // the JournalEntry's debit
    sheet.move(accounts.paymentsClearing, net.minor); // the Deposit's link to it
  }

  if (sheet.lines.length === 0)
    return { ok: false, code: 'nothing_to_post', reason: `Payout ${payout.legacyResourceId} has nothing to deposit` };
  const totalMinor = sheet.lines.reduce((s, l) => s + l.report.amount.minor, 0);
  const expected = expectedDepositTotal(payout);
  if (totalMinor !== expected.minor) {
    return {
      ok: false,
      code: 'arithmetic_mismatch',
      reason: `Payout ${payout.legacyResourceId}'s lines total ${toDecimalString(money(currency, totalMinor))}, its Deposit must total ${toDecimalString(expected)}`,
    };
  }
  const deposit: QboDepositBody = {
    DocNumber: header.docNumber,
    TxnDate: header.txnDate,
    PrivateNote: payoutPrivateNote(payout),
    DepositToAccountRef: { value: accounts.bank },
    ...(accounts.departmentId ? { DepartmentRef: { value: accounts.departmentId } } : {}),
    Line: sheet.lines.map((l) => l.body),
  };
  const transfers = input.transactions
    .filter((tx) => categoryOf(tx) === 'transfer')
    .map((tx) => rowReport(tx, 'transfer', null, { outcome: 'transfer' }));
  const clearing = [...sheet.clearing.entries()].map(([accountId, minor]) => ({ accountId, change: money(currency, minor) }));
  return {
    ok: true,
    plan: {
      kind: journalEntry ? 'journal_and_zero_deposit' : 'deposit',
      deposit,
      journalEntry,
      report: {
        payoutId: payout.id,
        legacyId: payout.legacyResourceId,
        docNumber: header.docNumber,
        currency,
        payoutNet: net,
        depositTotal: money(currency, totalMinor),
        fees: money(currency, feeMinor),
        feesBooked: money(currency, feeMinor),
        rows: [...items.map((i) => sheet.rows.get(i) as RowReport), ...transfers],
        lines: sheet.lines.map((l, index) => ({ index, ...l.report })),
        clearing,
        clearingBalanced: clearing.every((c) => c.change.minor === 0),
        flags: sheet.flags,
        needsAttention: sheet.flags.length > 0,
      },
    },
  };
}
