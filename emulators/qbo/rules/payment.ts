import { faults } from '../core/faults';
import { centsToNumber, toCents } from '../core/money';
import { systemAccount } from '../company/systemAccounts';
import type { Entity } from '../types';
import { lines, prepareTxnHeader, requireDepositAccount } from './common';
import type { EntityRules, Prepared, RuleContext } from './context';
import { checkRef, lookup, refId, requireRef } from './refs';

/**
 * Payment (docs/qbo-facts.md §4, Invoice): the client sets TotalAmt; lines link invoices of the same customer and
 * may not pay more than an invoice's open balance. Debits the deposit account (default Undeposited Funds),
 * credits Accounts Receivable.
 */
function preparePayment(ctx: RuleContext, doc: Entity): Prepared {
  const { company } = ctx;
  const now = ctx.clock.timestamp();
  prepareTxnHeader(ctx, 'Payment', doc);
  const customer = requireRef(ctx, 'Customer', doc.CustomerRef, 'CustomerRef');
  const total = toCents(doc.TotalAmt);
  if (total === null) throw faults.requiredMissing('TotalAmt');
  if (total < 0) throw faults.business('Payment TotalAmt cannot be negative', 'TotalAmt');
  doc.DepositToAccountRef ??= { value: systemAccount(company, 'undepositedFunds', now) };
  const deposit = requireRef(ctx, 'Account', doc.DepositToAccountRef, 'DepositToAccountRef');
  requireDepositAccount(deposit, 'DepositToAccountRef');
  checkRef(ctx, 'PaymentMethod', doc.PaymentMethodRef, 'PaymentMethodRef');
  const invoicePayments: { invoiceId: string; cents: number }[] = [];
  let applied = 0;
  doc.Line = lines(doc).map((line, i) => {
    const links: Entity[] = Array.isArray(line.LinkedTxn) ? line.LinkedTxn : [];
    const link = links[0];
    const cents = toCents(line.Amount);
    if (cents === null) throw faults.requiredMissing('Line.Amount');
    if (links.length !== 1 || link?.TxnType !== 'Invoice')
      throw faults.business('Each Payment line links exactly one Invoice', 'Line.LinkedTxn');
    const invoiceId = refId(link.TxnId);
    const invoice = lookup(ctx, 'Invoice', invoiceId);
    if (!invoice || invoiceId === undefined) throw faults.notFound('Invoice', String(link.TxnId));
    if (company.state.voided[`Invoice:${invoiceId}`]) throw faults.business(`Invoice ${invoiceId} is voided`, 'Line.LinkedTxn');
    if (refId(invoice.CustomerRef) !== String(customer.Id))
      throw faults.business(`Invoice ${invoiceId} belongs to another customer`, 'Line.LinkedTxn');
    const open = (toCents(invoice.TotalAmt) ?? 0) - (company.state.applied[invoiceId] ?? 0);
    if (cents > open)
      throw faults.business(
        `Payment of ${centsToNumber(cents)} exceeds the open balance ${centsToNumber(open)} of Invoice ${invoiceId}`,
        'Line.Amount',
      );
    applied += cents;
    invoicePayments.push({ invoiceId, cents });
    return { ...line, Id: String(i + 1), Amount: centsToNumber(cents), LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] };
  });
  if (applied > total)
    throw faults.business(`Lines apply ${centsToNumber(applied)}, more than the TotalAmt ${centsToNumber(total)}`, 'TotalAmt');
  doc.TotalAmt = centsToNumber(total);
  doc.UnappliedAmt = centsToNumber(total - applied);
  const postings =
    total === 0
      ? []
      : [
          { accountId: String(deposit.Id), cents: total },
          { accountId: systemAccount(company, 'accountsReceivable', now), cents: -total },
        ];
  return { effects: { date: String(doc.TxnDate), postings, invoicePayments } };
}

export const paymentRules: EntityRules = {
  prepare: (ctx, doc) => preparePayment(ctx, doc),
  computed: ['UnappliedAmt', 'HomeTotalAmt'],
  create: true,
  update: true,
  delete: true,
  void: true,
};
