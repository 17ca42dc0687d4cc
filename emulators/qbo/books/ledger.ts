import { SCALE_DIGITS, centsToNumber, decimalText, decimalToNumber, formatUnits, parseDecimal, toCents } from '../core/money';
import type { Company } from '../company/company';
import type { Effects } from '../company/state';
import { isDebitNormal } from '../company/systemAccounts';

/**
 * Applies and undoes a document's effects: Account.CurrentBalance by double entry, QtyOnHand, invoice
 * balances and deposit links. Updates, deletes and voids call reverseEffects first, so the books always
 * equal the sum of the live documents.
 */
export function applyEffects(company: Company, key: string, effects: Effects): void {
  company.state.effects[key] = effects;
  move(company, key, effects, 1);
}

export function reverseEffects(company: Company, key: string): Effects | undefined {
  const effects = company.state.effects[key];
  if (!effects) return undefined;
  delete company.state.effects[key];
  move(company, key, effects, -1);
  return effects;
}

function move(company: Company, key: string, effects: Effects, sign: 1 | -1): void {
  const total = effects.postings.reduce((sum, p) => sum + p.cents, 0);
  if (total !== 0) throw new Error(`unbalanced postings (${total} cents): emulator bug`);
  for (const posting of effects.postings) {
    const account = company.get('Account', posting.accountId);
    if (!account) continue;
    const delta = sign * posting.cents * (isDebitNormal(account) ? 1 : -1);
    const balance = (toCents(account.CurrentBalance) ?? 0) + delta;
    account.CurrentBalance = centsToNumber(balance);
    account.CurrentBalanceWithSubAccounts = centsToNumber(balance);
  }
  for (const { itemId, delta } of effects.qty ?? []) {
    const item = company.get('Item', itemId);
    if (!item) continue;
    const qty = (parseDecimal(item.QtyOnHand) ?? 0n) + BigInt(sign) * (parseDecimal(delta) ?? 0n);
    item.QtyOnHand = decimalToNumber(qty);
  }
  for (const { invoiceId, cents } of effects.invoicePayments ?? []) {
    const applied = (company.state.applied[invoiceId] ?? 0) + sign * cents;
    company.state.applied[invoiceId] = applied;
    const invoice = company.get('Invoice', invoiceId);
    if (invoice) invoice.Balance = centsToNumber((toCents(invoice.TotalAmt) ?? 0) - applied);
  }
  for (const txnKey of effects.deposits ?? []) {
    if (sign > 0) company.state.depositedIn[txnKey] = key.split(':')[1] ?? '';
    else delete company.state.depositedIn[txnKey];
  }
}

/** QtyOnHand delta as decimal text (kept as text so the state stays JSON). */
export function qtyText(units: bigint): string {
  return decimalText(formatUnits(units, SCALE_DIGITS)) ?? '0';
}
