import { faults } from '../core/faults';
import { centsToNumber, toCents } from '../core/money';
import type { Posting } from '../company/state';
import type { Entity } from '../types';
import { lines, prepareTxnHeader } from './common';
import type { EntityRules, Prepared, RuleContext } from './context';
import { checkRef, requireRef } from './refs';

/** JournalEntry: Debit and Credit lines that must balance; each posts straight to its account. */
function prepareJournal(ctx: RuleContext, doc: Entity): Prepared {
  prepareTxnHeader(ctx, 'JournalEntry', doc);
  const postings: Posting[] = [];
  let debits = 0;
  doc.Line = lines(doc).map((line, i) => {
    if (line.DetailType !== 'JournalEntryLineDetail') throw faults.requiredMissing('Line.JournalEntryLineDetail');
    const detail = line.JournalEntryLineDetail ?? {};
    if (detail.PostingType === undefined) throw faults.requiredMissing('Line.JournalEntryLineDetail.PostingType');
    const account = requireRef(ctx, 'Account', detail.AccountRef, 'Line.JournalEntryLineDetail.AccountRef');
    checkRef(ctx, ['Customer', 'Vendor', 'Employee'], detail.Entity?.EntityRef, 'Line.JournalEntryLineDetail.Entity');
    checkRef(ctx, 'Class', detail.ClassRef, 'Line.JournalEntryLineDetail.ClassRef');
    checkRef(ctx, 'Department', detail.DepartmentRef, 'Line.JournalEntryLineDetail.DepartmentRef');
    const amount = toCents(line.Amount);
    if (amount === null) throw faults.requiredMissing('Line.Amount');
    if (amount < 0) throw faults.business('Journal entry line amounts cannot be negative', 'Line.Amount');
    const debit = detail.PostingType === 'Debit';
    if (debit) debits += amount;
    postings.push({ accountId: String(account.Id), cents: debit ? amount : -amount });
    return { ...line, Id: String(i), Amount: centsToNumber(amount) };
  });
  const balance = postings.reduce((s, p) => s + p.cents, 0);
  if (balance !== 0)
    throw faults.business(`The transaction is not balanced: debits and credits differ by ${centsToNumber(balance)}`, 'Line');
  if (postings.length === 0) throw faults.business('A journal entry needs lines', 'Line');
  doc.TotalAmt = centsToNumber(debits);
  return { effects: { date: String(doc.TxnDate), postings: postings.filter((p) => p.cents !== 0) } };
}

export const journalRules: EntityRules = {
  prepare: (ctx, doc) => prepareJournal(ctx, doc),
  computed: ['TotalAmt', 'HomeTotalAmt'],
  create: true,
  update: true,
  delete: true,
};
