import { faults } from '../core/faults';
import { parseDecimal, qtyTimesPrice } from '../core/money';
import { qtyText } from '../books/ledger';
import type { Company } from '../company/company';
import type { Posting } from '../company/state';
import type { Entity } from '../types';
import { lines, prepareTxnHeader } from './common';
import type { EntityRules, Prepared, RuleContext } from './context';
import { requireRef } from './refs';

/**
 * The company tracks quantity on hand: `Preferences.ProductAndServicesPrefs.QuantityOnHand` (Finance.xsd
 * `ProductAndServicesPrefs`: "Enable QuantityOnHand"; Intuit's Preferences reference,
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/preferences). Absent reads as on,
 * as in every company created before the field existed here (docs/qbo-facts.md §4 "Quantity on hand").
 */
export function tracksQuantity(company: Company): boolean {
  const value = company.preferences().ProductAndServicesPrefs?.QuantityOnHand;
  return value !== false && value !== 'false';
}

/**
 * InventoryAdjustment (docs/qbo-facts.md §4 "Quantity on hand"): Intuit's endpoint for changing an Inventory
 * item's quantity on hand ("damage, stock write-off, shrinkage, or expiration"; quantities only, not values),
 * https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-inventory/inventory-adjustment. The shape is
 * the committed Finance.xsd's: `AdjustAccountRef` (required: the account the value goes to, an expense or
 * opening balance equity account; the asset account is the item's) and `ItemAdjustmentLineDetail` lines with
 * `ItemRef` and either `QtyDiff` (signed change) or `NewQty` (the new quantity). Intuit's page: sparse updates
 * are supported and the transaction date cannot be edited.
 *
 * The value moved is QtyDiff × the item's PurchaseCost: debit the item's asset account, credit AdjustAccountRef
 * (a rise; a fall the other way round). Our readings, unverified on a live company: a NewQty is taken against the
 * item's quantity now (QBO reads it "as of provided transaction date"; the emulator keeps no dated stock); sending
 * both QtyDiff and NewQty, or a non-Inventory item, is a 6000 business validation fault; a company that does not
 * track quantity on hand refuses the adjustment (6000). The plan and country limits of Intuit's page (QBO Plus
 * and Advanced, US) are not modelled.
 */
const DETAIL = 'ItemAdjustmentLineDetail';

function adjustmentLines(ctx: RuleContext, doc: Entity): { postings: Posting[]; qty: { itemId: string; delta: string }[] } {
  const postings: Posting[] = [];
  const qty: { itemId: string; delta: string }[] = [];
  const adjustAccount = String(doc.AdjustAccountRef.value);
  // Quantities as this adjustment leaves them, for a NewQty after an earlier line on the same item.
  const pending = new Map<string, bigint>();
  doc.Line = lines(doc).map((line, i) => {
    if (line.DetailType === undefined) throw faults.requiredMissing('Line.DetailType');
    if (line.DetailType !== DETAIL)
      throw faults.business(`Line DetailType ${line.DetailType} is not allowed on an inventory adjustment`, 'Line.DetailType');
    const detail = line[DETAIL] as Entity | undefined;
    if (!detail) throw faults.requiredMissing(`Line.${DETAIL}`);
    const item = requireRef(ctx, 'Item', detail.ItemRef, `Line.${DETAIL}.ItemRef`);
    if (item.Type !== 'Inventory' || item.TrackQtyOnHand !== true)
      throw faults.business(
        `Item ${item.Id} does not track quantity on hand; only Inventory items can be adjusted`,
        `Line.${DETAIL}.ItemRef`,
      );
    const itemId = String(item.Id);
    const hasDiff = detail.QtyDiff !== undefined && detail.QtyDiff !== null;
    const hasNew = detail.NewQty !== undefined && detail.NewQty !== null;
    if (hasDiff && hasNew) throw faults.business('Send QtyDiff or NewQty, not both', `Line.${DETAIL}`);
    if (!hasDiff && !hasNew) throw faults.requiredMissing(`Line.${DETAIL}.QtyDiff`);
    const current = pending.get(itemId) ?? parseDecimal(item.QtyOnHand) ?? 0n;
    const sent = parseDecimal(hasDiff ? detail.QtyDiff : detail.NewQty);
    if (sent === null) throw faults.unsupportedProperty(`Line.${DETAIL}.${hasDiff ? 'QtyDiff' : 'NewQty'} is not a number`);
    const delta = hasDiff ? sent : sent - current;
    pending.set(itemId, current + delta);
    if (delta !== 0n) qty.push({ itemId, delta: qtyText(delta) });
    const cents = qtyTimesPrice(delta, parseDecimal(item.PurchaseCost) ?? 0n);
    const asset = String(item.AssetAccountRef?.value);
    if (cents !== 0) postings.push({ accountId: asset, cents }, { accountId: adjustAccount, cents: -cents });
    return { ...line, Id: String(i + 1), LineNum: i + 1, [DETAIL]: { ...detail, ItemRef: { value: itemId, name: item.Name } } };
  });
  if (doc.Line.length === 0) throw faults.business('An inventory adjustment needs at least one line', 'Line');
  return { postings, qty };
}

function prepareAdjustment(ctx: RuleContext, doc: Entity, previous: Entity | undefined): Prepared {
  if (!tracksQuantity(ctx.company))
    throw faults.business('This company does not track quantity on hand (Preferences.ProductAndServicesPrefs.QuantityOnHand)');
  if (previous) {
    doc.TxnDate ??= previous.TxnDate;
    if (String(doc.TxnDate) !== String(previous.TxnDate))
      throw faults.business("An inventory adjustment's transaction date cannot be edited", 'TxnDate');
  }
  prepareTxnHeader(ctx, 'InventoryAdjustment', doc);
  if (doc.AdjustAccountRef?.value === undefined) throw faults.requiredMissing('AdjustAccountRef');
  const account = requireRef(ctx, 'Account', doc.AdjustAccountRef, 'AdjustAccountRef');
  doc.AdjustAccountRef = { value: String(account.Id), name: account.Name };
  const { postings, qty } = adjustmentLines(ctx, doc);
  return { effects: { date: String(doc.TxnDate), postings, qty } };
}

export const inventoryAdjustmentRules: EntityRules = {
  prepare: prepareAdjustment,
  create: true,
  update: true,
  delete: true,
};
