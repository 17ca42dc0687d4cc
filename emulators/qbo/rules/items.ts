import { faults } from '../core/faults';
import { parseDecimal, qtyTimesPrice } from '../core/money';
import { systemAccount } from '../company/systemAccounts';
import type { Entity } from '../types';
import type { EntityRules, Prepared, RuleContext } from './context';
import { assertUniqueName } from './lists';
import { tracksQuantity } from './inventory';
import { checkRef, requireRef } from './refs';

/**
 * Item (docs/qbo-facts.md §4): Name unique (6240); Inventory needs TrackQtyOnHand, QtyOnHand, InvStartDate, an income,
 * a COGS (ExpenseAccountRef) and an asset account; NonInventory and Service need an income account;
 * TrackQtyOnHand cannot be turned off. Stock is valued at PurchaseCost: the opening quantity posts against
 * Opening Balance Equity, a later QtyOnHand change against Inventory Shrinkage.
 */
const SUPPORTED_TYPES = new Set(['Inventory', 'NonInventory', 'Service']);

function requireAccountType(account: Entity, types: string[], element: string): void {
  if (!types.includes(String(account.AccountType))) {
    throw faults.business(`${element} must be a ${types.join(' or ')} account; account ${account.Id} is ${account.AccountType}`, element);
  }
}

function checkInventory(ctx: RuleContext, doc: Entity): void {
  if (doc.TrackQtyOnHand === undefined) throw faults.requiredMissing('TrackQtyOnHand');
  if (doc.TrackQtyOnHand !== true) throw faults.business('An Inventory item must have TrackQtyOnHand true', 'TrackQtyOnHand');
  if (doc.QtyOnHand === undefined || doc.QtyOnHand === null) throw faults.requiredMissing('QtyOnHand');
  if (doc.InvStartDate === undefined) throw faults.requiredMissing('InvStartDate');
  requireAccountType(requireRef(ctx, 'Account', doc.ExpenseAccountRef, 'ExpenseAccountRef'), ['Cost of Goods Sold'], 'ExpenseAccountRef');
  requireAccountType(requireRef(ctx, 'Account', doc.AssetAccountRef, 'AssetAccountRef'), ['Other Current Asset'], 'AssetAccountRef');
}

function stockPostings(ctx: RuleContext, doc: Entity, previous: Entity | undefined): Prepared {
  if (doc.Type !== 'Inventory') return {};
  const qty = parseDecimal(doc.QtyOnHand) ?? 0n;
  const before = previous ? (parseDecimal(previous.QtyOnHand) ?? 0n) : 0n;
  const cents = qtyTimesPrice(qty - before, parseDecimal(doc.PurchaseCost) ?? 0n);
  if (cents === 0) return {};
  const now = ctx.clock.timestamp();
  const against = previous ? systemAccount(ctx.company, 'shrinkage', now) : systemAccount(ctx.company, 'openingBalanceEquity', now);
  const key = previous ? `Item:${doc.Id}:adj:${++ctx.company.state.adjustments}` : `Item:${doc.Id}:open`;
  const date = previous ? ctx.clock.today() : String(doc.InvStartDate);
  const asset = String(doc.AssetAccountRef.value);
  return {
    extra: [
      {
        key,
        effects: {
          date,
          postings: [
            { accountId: asset, cents },
            { accountId: against, cents: -cents },
          ],
        },
      },
    ],
  };
}

function prepareItem(ctx: RuleContext, doc: Entity, previous: Entity | undefined): Prepared {
  if (doc.Name === undefined || doc.Name === '') throw faults.requiredMissing('Name');
  assertUniqueName(ctx, 'Item', doc, ['Item'], 'Name');
  if (doc.Type === undefined) throw faults.requiredMissing('Type');
  if (!SUPPORTED_TYPES.has(String(doc.Type)))
    throw faults.business(`Item Type ${doc.Type} is not supported here; use Inventory, NonInventory or Service`, 'Type');
  if (previous?.Type === 'Inventory' && doc.Type !== 'Inventory') throw faults.business('An Inventory item cannot change its Type', 'Type');
  if (previous?.TrackQtyOnHand === true && doc.TrackQtyOnHand !== true)
    throw faults.business('TrackQtyOnHand cannot be turned off once it is on', 'TrackQtyOnHand');
  requireRef(ctx, 'Account', doc.IncomeAccountRef, 'IncomeAccountRef');
  if (doc.Type === 'Inventory') {
    // QBO's answer to an Inventory item in a company with "Track quantity on hand" off, as reported to Intuit
    // (https://github.com/intuit/QuickBooks-V3-DotNET-SDK/issues/10; docs/qbo-facts.md §4 "Quantity on hand").
    // Only new items: a company file may hold Inventory items from before the setting was turned off.
    if (!previous && !ctx.seeding && !tracksQuantity(ctx.company))
      throw faults.business(
        'When you create an item, if Track quantity on hand is turned off, the item cannot be of type Inventory.',
        'Type',
      );
    checkInventory(ctx, doc);
  } else {
    if (doc.TrackQtyOnHand === true) throw faults.business('Only Inventory items can track quantity on hand', 'TrackQtyOnHand');
    doc.TrackQtyOnHand = false;
    checkRef(ctx, 'Account', doc.ExpenseAccountRef, 'ExpenseAccountRef');
  }
  const parent = checkRef(ctx, 'Item', doc.ParentRef, 'ParentRef');
  doc.SubItem = parent !== undefined;
  doc.FullyQualifiedName = parent ? `${parent.FullyQualifiedName}:${doc.Name}` : doc.Name;
  checkRef(ctx, 'TaxCode', doc.SalesTaxCodeRef, 'SalesTaxCodeRef');
  checkRef(ctx, 'TaxCode', doc.PurchaseTaxCodeRef, 'PurchaseTaxCodeRef');
  checkRef(ctx, 'Vendor', doc.PrefVendorRef, 'PrefVendorRef');
  doc.Active ??= true;
  return stockPostings(ctx, doc, previous);
}

export const itemRules: EntityRules = {
  prepare: prepareItem,
  computed: ['FullyQualifiedName', 'Level'],
  create: true,
  update: true,
};
