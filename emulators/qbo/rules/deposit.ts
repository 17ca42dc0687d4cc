import { faults } from '../core/faults';
import { centsToNumber, toCents } from '../core/money';
import type { Posting } from '../company/state';
import type { Entity } from '../types';
import { lines, prepareTxnHeader, requireDepositAccount } from './common';
import type { EntityRules, Prepared, RuleContext } from './context';
import { checkRef, lookup, refId, requireRef } from './refs';

/**
 * Deposit (docs/qbo-facts.md §4): into a Bank or Other Current Asset account; linked lines clear whole
 * SalesReceipts, Payments and RefundReceipts out of the clearing account they sit in (Undeposited Funds or
 * another Other Current Asset), each for exactly its total (a refund nets negative) and only once; other
 * lines post to their AccountRef (fees are negative lines); the total must be ≥ 0.
 */
const LINKABLE = new Set(['SalesReceipt', 'Payment', 'RefundReceipt']);

function linkedLine(ctx: RuleContext, doc: Entity, line: Entity, bankId: string): { posting: Posting; txnKey: string } {
  const links: Entity[] = line.LinkedTxn;
  const link = links[0] as Entity;
  const type = String(link.TxnType);
  const txnId = refId(link.TxnId);
  if (links.length !== 1) throw faults.business('A deposit line links exactly one transaction', 'Line.LinkedTxn');
  if (!LINKABLE.has(type))
    throw faults.business(`A Deposit can link SalesReceipt, Payment or RefundReceipt, not ${type}`, 'Line.LinkedTxn.TxnType');
  const txn = lookup(ctx, type, txnId);
  if (!txn || txnId === undefined) throw faults.notFound(type, String(link.TxnId));
  const txnKey = `${type}:${txnId}`;
  const { company } = ctx;
  if (company.state.voided[txnKey]) throw faults.business(`${type} ${txnId} is voided`, 'Line.LinkedTxn');
  const depositedIn = company.state.depositedIn[txnKey];
  if (depositedIn !== undefined && depositedIn !== String(doc.Id)) {
    throw faults.business(`${type} ${txnId} has already been deposited (Deposit ${depositedIn})`, 'Line.LinkedTxn');
  }
  const clearingId = refId(txn.DepositToAccountRef);
  const clearing = company.get('Account', String(clearingId));
  if (!clearing || clearing.AccountType !== 'Other Current Asset' || clearingId === bankId) {
    throw faults.business(
      `${type} ${txnId} is not in Undeposited Funds or a clearing account, so it cannot be deposited`,
      'Line.LinkedTxn',
    );
  }
  const expected = (toCents(txn.TotalAmt) ?? 0) * (type === 'RefundReceipt' ? -1 : 1);
  const amount = toCents(line.Amount);
  if (amount !== expected) {
    throw faults.business(
      `Deposit line amount ${amount === null ? 'missing' : centsToNumber(amount)} must equal the ${type} ${txnId} total ${centsToNumber(expected)}`,
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

export const depositRules: EntityRules = {
  prepare: (ctx, doc) => prepareDeposit(ctx, doc),
  computed: ['TotalAmt', 'HomeTotalAmt'],
  create: true,
  update: true,
  delete: true,
};
