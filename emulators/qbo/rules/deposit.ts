import { faults } from '../core/faults';
import { centsToNumber, toCents } from '../core/money';
import type { Company } from '../company/company';
import type { Posting } from '../company/state';
import type { Entity } from '../types';
import { lines, prepareTxnHeader, requireDepositAccount } from './common';
import type { EntityRules, Prepared, RuleContext } from './context';
import { checkRef, lookup, refId, requireRef } from './refs';

/**
 * Deposit (docs/qbo-facts.md §4 "Deposit"; https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/deposit):
 * into a Bank or Other Current Asset account; linked lines clear whole SalesReceipts, Payments and RefundReceipts
 * out of the clearing account they sit in (Undeposited Funds or another Other Current Asset), each for exactly its
 * open amount there (a refund nets negative) and only once; a JournalEntry is linked by the line (TxnLineId) that
 * moved the clearing account, for that line's amount (how a negative payout reaches a zero Deposit, Intuit's
 * procedure: https://quickbooks.intuit.com/learn-support/en-sg/help-article/bank-deposits/clear-negative-entries-undeposited-funds-bank/L0pVkO9N8_SG_en_SG);
 * other lines post to their AccountRef (fees are negative lines); the total must be ≥ 0 ("The net deposit must be a
 * value greater than or equal to zero", same page). A Deposit can be deleted, which frees what it linked, but not
 * voided (RULES below; docs/qbo-facts.md §4).
 */
const LINKABLE = new Set(['SalesReceipt', 'Payment', 'RefundReceipt', 'JournalEntry']);

/** The Deposit holding a transaction, or one line of a JournalEntry ("JournalEntry:<id>:<line>"), if any. */
export function depositHolding(company: Company, name: string, id: string): string | undefined {
  const held = company.state.depositedIn;
  const whole = held[`${name}:${id}`];
  if (whole !== undefined || name !== 'JournalEntry') return whole;
  const prefix = `${name}:${id}:`;
  return Object.entries(held).find(([key]) => key.startsWith(prefix))?.[1];
}

/** What a linked transaction left in its clearing account: the account, the signed amount, and its deposit key. */
function openAmount(
  type: string,
  txnId: string,
  txn: Entity,
  link: Entity,
): { clearingId: string | undefined; cents: number; txnKey: string } {
  if (type !== 'JournalEntry') {
    const cents = (toCents(txn.TotalAmt) ?? 0) * (type === 'RefundReceipt' ? -1 : 1);
    return { clearingId: refId(txn.DepositToAccountRef), cents, txnKey: `${type}:${txnId}` };
  }
  const lineId = link.TxnLineId === undefined || link.TxnLineId === null ? undefined : String(link.TxnLineId);
  const line = (Array.isArray(txn.Line) ? (txn.Line as Entity[]) : []).find((l) => String(l.Id) === lineId);
  if (!line) {
    throw faults.business(
      `JournalEntry ${txnId} has no line ${lineId ?? '(none given)'}: a deposit links one journal line, named by TxnLineId`,
      'Line.LinkedTxn.TxnLineId',
    );
  }
  const detail = line.JournalEntryLineDetail ?? {};
  const cents = (toCents(line.Amount) ?? 0) * (detail.PostingType === 'Credit' ? -1 : 1);
  return { clearingId: refId(detail.AccountRef), cents, txnKey: `JournalEntry:${txnId}:${lineId}` };
}

function linkedLine(ctx: RuleContext, doc: Entity, line: Entity, bankId: string): { posting: Posting; txnKey: string } {
  // A linked line is LinkedTxn and Amount only: QBO answers a DetailType or DepositLineDetail beside it with 2020
  // "Required param missing … Line.DepositLineDetail.AccountRef" (https://github.com/routablehq/python-quickbooks/issues/329)
  // or "Select a bank account for this deposit" when an account is given (python-quickbooks issue 391;
  // docs/qbo-facts.md §4).
  if (line.DetailType !== undefined || line.DepositLineDetail !== undefined) {
    if (refId(line.DepositLineDetail?.AccountRef) === undefined) throw faults.requiredMissing('Line.DepositLineDetail.AccountRef');
    throw faults.business('Select a bank account for this deposit', 'Line.DepositLineDetail');
  }
  const links: Entity[] = line.LinkedTxn;
  const link = links[0] as Entity;
  const type = String(link.TxnType);
  const txnId = refId(link.TxnId);
  if (links.length !== 1) throw faults.business('A deposit line links exactly one transaction', 'Line.LinkedTxn');
  if (!LINKABLE.has(type))
    throw faults.business(`A Deposit can link SalesReceipt, Payment, RefundReceipt or JournalEntry, not ${type}`, 'Line.LinkedTxn.TxnType');
  const txn = lookup(ctx, type, txnId);
  if (!txn || txnId === undefined) throw faults.notFound(type, String(link.TxnId));
  const { company } = ctx;
  if (company.state.voided[`${type}:${txnId}`]) throw faults.business(`${type} ${txnId} is voided`, 'Line.LinkedTxn');
  const { clearingId, cents: expected, txnKey } = openAmount(type, txnId, txn, link);
  const depositedIn = company.state.depositedIn[txnKey];
  if (depositedIn !== undefined && depositedIn !== String(doc.Id)) {
    throw faults.business(`${type} ${txnId} has already been deposited (Deposit ${depositedIn})`, 'Line.LinkedTxn');
  }
  const clearing = company.get('Account', String(clearingId));
  if (!clearing || clearing.AccountType !== 'Other Current Asset' || clearingId === bankId) {
    throw faults.business(
      `${type} ${txnId} is not in Undeposited Funds or a clearing account, so it cannot be deposited`,
      'Line.LinkedTxn',
    );
  }
  const amount = toCents(line.Amount);
  if (amount !== expected) {
    throw faults.business(
      `Deposit line amount ${amount === null ? 'missing' : centsToNumber(amount)} must equal the ${type} ${txnId} amount in its clearing account, ${centsToNumber(expected)}`,
      'Line.Amount',
    );
  }
  line.LinkedTxn = [{ TxnId: txnId, TxnType: type, TxnLineId: link.TxnLineId ?? '0' }];
  return { posting: { accountId: String(clearingId), cents: -expected }, txnKey };
}

function otherLine(ctx: RuleContext, line: Entity): Posting {
  if (line.DetailType !== 'DepositLineDetail') throw faults.requiredMissing('Line.DetailType');
  const detail = line.DepositLineDetail ?? {};
  const account = requireRef(ctx, 'Account', detail.AccountRef, 'Line.DepositLineDetail.AccountRef');
  checkRef(ctx, ['Vendor', 'Customer', 'Employee'], detail.Entity, 'Line.DepositLineDetail.Entity');
  checkRef(ctx, 'Class', detail.ClassRef, 'Line.DepositLineDetail.ClassRef');
  checkRef(ctx, 'PaymentMethod', detail.PaymentMethodRef, 'Line.DepositLineDetail.PaymentMethodRef');
  const amount = toCents(line.Amount);
  if (amount === null) throw faults.requiredMissing('Line.Amount');
  return { accountId: String(account.Id), cents: -amount };
}

function prepareDeposit(ctx: RuleContext, doc: Entity): Prepared {
  prepareTxnHeader(ctx, 'Deposit', doc);
  const bank = requireRef(ctx, 'Account', doc.DepositToAccountRef, 'DepositToAccountRef');
  requireDepositAccount(bank, 'DepositToAccountRef');
  const bankId = String(bank.Id);
  const postings: Posting[] = [];
  const deposits: string[] = [];
  doc.Line = lines(doc).map((line, i) => {
    const copy: Entity = { ...line };
    if (Array.isArray(line.LinkedTxn) && line.LinkedTxn.length > 0) {
      const { posting, txnKey } = linkedLine(ctx, doc, copy, bankId);
      if (deposits.includes(txnKey)) throw faults.business(`${txnKey} is linked twice in this deposit`, 'Line.LinkedTxn');
      postings.push(posting);
      deposits.push(txnKey);
    } else {
      postings.push(otherLine(ctx, copy));
    }
    return { ...copy, Id: String(i + 1), LineNum: i + 1, Amount: centsToNumber(-(postings[postings.length - 1] as Posting).cents) };
  });
  if (doc.Line.length === 0) throw faults.business('A Deposit needs at least one line', 'Line');
  let total = -postings.reduce((s, p) => s + p.cents, 0);
  if (doc.CashBack) {
    const cashAccount = requireRef(ctx, 'Account', doc.CashBack.AccountRef, 'CashBack.AccountRef');
    const cash = toCents(doc.CashBack.Amount) ?? 0;
    if (cash !== 0) postings.push({ accountId: String(cashAccount.Id), cents: cash });
    total -= cash;
  }
  if (total < 0) throw faults.business(`Deposit total ${centsToNumber(total)} cannot be negative`, 'TotalAmt');
  postings.push({ accountId: bankId, cents: total });
  doc.TotalAmt = centsToNumber(total);
  return { effects: { date: String(doc.TxnDate), postings: postings.filter((p) => p.cents !== 0), deposits } };
}

/**
 * Create, read, query, update and delete, no void: Intuit's Deposit reference lists no void operation (unlike
 * SalesReceipt, Payment, Invoice and RefundReceipt), its webhooks carry no Deposit void event
 * (https://developer.intuit.com/hub/blog/2017/05/11/webhooks-quickbooks-online-api-2), and python-quickbooks gives
 * Deposit delete but not void (`quickbooks/objects/deposit.py`, https://github.com/ej2/python-quickbooks). A void
 * therefore answers like any operation an entity does not support (500 Unsupported Operation; QBO's exact fault
 * for it is unverified: docs/qbo-facts.md §4).
 */
export const depositRules: EntityRules = {
  prepare: (ctx, doc) => prepareDeposit(ctx, doc),
  computed: ['TotalAmt', 'HomeTotalAmt'],
  create: true,
  update: true,
  delete: true,
  void: false,
};
