import { faults } from '../core/faults';
import { centsToNumber, parseDecimal, qtyTimesPrice, toCents } from '../core/money';
import { qtyText } from '../books/ledger';
import type { Posting } from '../company/state';
import { systemAccount } from '../company/systemAccounts';
import type { Entity } from '../types';
import { lines, prepareTxnHeader } from './common';
import type { EntityRules, Prepared, RuleContext } from './context';
import { checkRef, refId, requireRef } from './refs';

/**
 * Purchase (Expense) and Bill (docs/qbo-facts.md §4): account- or item-based expense lines debit their accounts
 * (Inventory items: the asset account, and QtyOnHand rises); the Purchase credits its bank or card account,
 * the Bill credits Accounts Payable. No tax is computed on purchases (README "Not emulated").
 */
type ExpenseType = 'Purchase' | 'Bill';

const PAYMENT_ACCOUNT_TYPES: Record<string, string[]> = {
  Cash: ['Bank', 'Other Current Asset', 'Credit Card'],
  Check: ['Bank'],
  CreditCard: ['Credit Card'],
};

function expenseLines(ctx: RuleContext, doc: Entity): { postings: Posting[]; qty: { itemId: string; delta: string }[]; total: number } {
  const postings: Posting[] = [];
  const qty: { itemId: string; delta: string }[] = [];
  let total = 0;
  doc.Line = lines(doc).map((line, i) => {
    const amount = toCents(line.Amount);
    if (amount === null) throw faults.requiredMissing('Line.Amount');
    if (line.DetailType === 'AccountBasedExpenseLineDetail') {
      const detail = line.AccountBasedExpenseLineDetail ?? {};
      const account = requireRef(ctx, 'Account', detail.AccountRef, 'Line.AccountBasedExpenseLineDetail.AccountRef');
      checkRef(ctx, 'Customer', detail.CustomerRef, 'Line.AccountBasedExpenseLineDetail.CustomerRef');
      checkRef(ctx, 'Class', detail.ClassRef, 'Line.AccountBasedExpenseLineDetail.ClassRef');
      postings.push({ accountId: String(account.Id), cents: amount });
    } else if (line.DetailType === 'ItemBasedExpenseLineDetail') {
      const detail = line.ItemBasedExpenseLineDetail ?? {};
      const item = requireRef(ctx, 'Item', detail.ItemRef, 'Line.ItemBasedExpenseLineDetail.ItemRef');
      const units = parseDecimal(detail.Qty);
      const price = parseDecimal(detail.UnitPrice);
      if (units !== null && price !== null && Math.abs(qtyTimesPrice(units, price) - amount) > 1) {
        throw faults.business(`Amount is not equal to UnitPrice * Qty. Supplied value:${centsToNumber(amount)}`, 'Line.Amount');
      }
      const inventory = item.Type === 'Inventory';
      const accountId = refId(inventory ? item.AssetAccountRef : item.ExpenseAccountRef);
      if (accountId === undefined)
        throw faults.business(`Item ${item.Id} has no expense account`, 'Line.ItemBasedExpenseLineDetail.ItemRef');
      postings.push({ accountId, cents: amount });
      if (inventory && units !== null) qty.push({ itemId: String(item.Id), delta: qtyText(units) });
    } else if (line.DetailType === undefined) {
      throw faults.requiredMissing('Line.DetailType');
    } else {
      throw faults.business(`Line DetailType ${line.DetailType} is not allowed on an expense`, 'Line.DetailType');
    }
    total += amount;
    return { ...line, Id: String(i + 1), Amount: centsToNumber(amount) };
  });
  if (doc.Line.length === 0) throw faults.business('An expense needs at least one line', 'Line');
  return { postings, qty, total };
}

function prepareExpense(ctx: RuleContext, type: ExpenseType, doc: Entity): Prepared {
  const now = ctx.clock.timestamp();
  prepareTxnHeader(ctx, type, doc);
  let creditAccountId: string;
  if (type === 'Purchase') {
    if (doc.PaymentType === undefined) throw faults.requiredMissing('PaymentType');
    const account = requireRef(ctx, 'Account', doc.AccountRef, 'AccountRef');
    const allowed = PAYMENT_ACCOUNT_TYPES[String(doc.PaymentType)] ?? [];
    if (!allowed.includes(String(account.AccountType))) {
      throw faults.business(
        `A ${doc.PaymentType} purchase must be paid from a ${allowed.join(' or ')} account; account ${account.Id} is ${account.AccountType}`,
        'AccountRef',
      );
    }
    checkRef(ctx, ['Vendor', 'Customer', 'Employee'], doc.EntityRef, 'EntityRef');
    checkRef(ctx, 'PaymentMethod', doc.PaymentMethodRef, 'PaymentMethodRef');
    creditAccountId = String(account.Id);
  } else {
    requireRef(ctx, 'Vendor', doc.VendorRef, 'VendorRef');
    doc.APAccountRef ??= { value: systemAccount(ctx.company, 'accountsPayable', now) };
    const ap = requireRef(ctx, 'Account', doc.APAccountRef, 'APAccountRef');
    if (ap.AccountType !== 'Accounts Payable') throw faults.business('APAccountRef must be an Accounts Payable account', 'APAccountRef');
    checkRef(ctx, 'Term', doc.SalesTermRef, 'SalesTermRef');
    creditAccountId = String(ap.Id);
  }
  const { postings, qty, total } = expenseLines(ctx, doc);
  if (total < 0) throw faults.business(`Transaction total ${centsToNumber(total)} cannot be negative`, 'TotalAmt');
  postings.push({ accountId: creditAccountId, cents: -total });
  doc.TotalAmt = centsToNumber(total);
  if (type === 'Bill') doc.Balance = doc.TotalAmt;
  // Purchase.Credit = true is a refund from the vendor: every posting and stock movement reverses.
  const sign = type === 'Purchase' && (doc.Credit === true || doc.Credit === 'true') ? -1 : 1;
  return {
    effects: {
      date: String(doc.TxnDate),
      postings: postings.filter((p) => p.cents !== 0).map((p) => ({ accountId: p.accountId, cents: sign * p.cents })),
      qty: qty.map((q) => ({ itemId: q.itemId, delta: sign > 0 ? q.delta : qtyText(-(parseDecimal(q.delta) ?? 0n)) })),
    },
  };
}

export function expenseRules(type: ExpenseType): EntityRules {
  return {
    prepare: (ctx, doc) => prepareExpense(ctx, type, doc),
    computed: ['TotalAmt', 'HomeTotalAmt', 'Balance', 'HomeBalance'],
    create: true,
    update: true,
    delete: true,
  };
}
