import { faults } from '../core/faults';
import type { Entity } from '../types';
import type { RuleContext } from './context';
import { checkRef } from './refs';

/** Header rules shared by every transaction: TxnDate, currency, DocNumber, class and location. */
export function prepareTxnHeader(ctx: RuleContext, type: string, doc: Entity): void {
  const { company } = ctx;
  doc.TxnDate ??= ctx.clock.today();
  const home = company.homeCurrency();
  if (doc.CurrencyRef?.value !== undefined && doc.CurrencyRef.value !== home.value) {
    throw faults.business(`Multicurrency is not enabled for this company: CurrencyRef ${doc.CurrencyRef.value}`, 'CurrencyRef');
  }
  doc.CurrencyRef = { ...home };
  checkDocNumber(ctx, type, doc);
  checkRef(ctx, 'Department', doc.DepartmentRef, 'DepartmentRef');
  checkRef(ctx, 'Class', doc.ClassRef, 'ClassRef');
}

/**
 * The OtherPrefs switch that decides whether a duplicate number is refused, for the types whose duplicates are a
 * company preference (docs/qbo-facts.md §2 "Duplicate DocNumbers"): Intuit's Purchase reference says a Check's
 * duplicate number errors only while `WarnDuplicateCheckNumber` is true, and its Preferences reference lists
 * the same warning for bills (`WarnDuplicateBillNumber`) and journal entries (`WarnDuplicateJournalNumber`)
 * (https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/purchase DocNumber,
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/preferences OtherPrefs).
 */
function duplicateWarning(type: string, doc: Entity): string | undefined {
  if (type === 'JournalEntry') return 'WarnDuplicateJournalNumber';
  if (type === 'Bill') return 'WarnDuplicateBillNumber';
  if (type === 'Purchase' && doc.PaymentType === 'Check') return 'WarnDuplicateCheckNumber';
  return undefined;
}

/** An OtherPrefs NameValue flag; absent reads as QBO's sample company has it (checks warned, the rest not). */
function otherPref(ctx: RuleContext, name: string): boolean {
  const list: Entity[] = ctx.company.preferences().OtherPrefs?.NameValue ?? [];
  const hit = list.find((nv) => nv.Name === name);
  if (hit === undefined) return name === 'WarnDuplicateCheckNumber';
  return String(hit.Value).toLowerCase() === 'true';
}

/**
 * docs/qbo-facts.md §2/§4: a DocNumber is unique per transaction type unless include=allowduplicatedocnum; checks,
 * bills and journal entries only while their duplicate-number warning is on (duplicateWarning).
 */
function checkDocNumber(ctx: RuleContext, type: string, doc: Entity): void {
  const absent = doc.DocNumber === undefined || doc.DocNumber === null || doc.DocNumber === '';
  if (SALES_FORMS.has(type) && ctx.company.preferences().SalesFormsPrefs?.CustomTxnNumbers === false) {
    // Intuit's DocNumber reference (Invoice, SalesReceipt, …): with custom transaction numbers off a form created
    // without a number gets the last number + 1, and a number sent is stored even when it repeats another
    // (https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice DocNumber).
    const creating = doc.Id === undefined || ctx.company.get(type, String(doc.Id)) === undefined;
    if (absent && creating) doc.DocNumber = nextDocNumber(ctx, type);
    return;
  }
  if (absent || ctx.allowDuplicateDocNum) return;
  const warning = duplicateWarning(type, doc);
  if (warning !== undefined && !otherPref(ctx, warning)) return;
  const docNumber = String(doc.DocNumber);
  const clash = ctx.company
    .list(type)
    .find(
      (other) =>
        String(other.DocNumber) === docNumber &&
        String(other.Id) !== String(doc.Id) &&
        (type !== 'Purchase' || (other.PaymentType === 'Check') === (doc.PaymentType === 'Check')),
    );
  if (clash) throw faults.duplicateDocNumber(docNumber, type, String(clash.Id));
}

const SALES_FORMS = new Set(['Invoice', 'SalesReceipt', 'CreditMemo', 'RefundReceipt', 'Estimate']);

/** The company's last numeric DocNumber of this type + 1 (1001 for the first, as QBO's forms start). */
function nextDocNumber(ctx: RuleContext, type: string): string {
  const numbers = ctx.company
    .list(type)
    .map((d) => String(d.DocNumber ?? ''))
    .filter((n) => /^\d{1,15}$/.test(n))
    .map(Number);
  return String(numbers.length > 0 ? Math.max(...numbers) + 1 : 1001);
}

export function lines(doc: Entity): Entity[] {
  return Array.isArray(doc.Line) ? doc.Line : [];
}

/** Accounts money can be deposited to: Bank or Other Current Asset (docs/qbo-facts.md §4, Deposit). */
export function isDepositAccount(account: Entity): boolean {
  return account.AccountType === 'Bank' || account.AccountType === 'Other Current Asset';
}

export function requireDepositAccount(account: Entity, element: string): void {
  if (!isDepositAccount(account)) {
    throw faults.business(
      `${element} must be a Bank or Other Current Asset account; account ${account.Id} is ${account.AccountType}`,
      element,
    );
  }
}
