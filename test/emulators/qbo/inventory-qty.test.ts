import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_ITEM_IDS as I, DEFAULT_LIST_IDS as L, defaultCompany } from '../../../emulators/qbo';
import { cents, connect, faultOf, itemLine, raw, start, type Qbo, type Started } from './helpers';

/**
 * Quantity on hand of Inventory items (docs/qbo-facts.md §4 "Quantity on hand"): sales forms take units out,
 * refund forms and purchases put them back, InventoryAdjustment sets them; deleting, voiding or updating a form
 * moves them back or by the difference. Through node-quickbooks, and plain HTTP for InventoryAdjustment (which
 * node-quickbooks 2.0.50 has no method for).
 */
describe('QBO emulator: QtyOnHand follows the documents', () => {
  let s: Started;
  let untracked: Qbo;
  let itemNo = 0;
  beforeAll(async () => {
    s = await start({ country: 'US' }, { companies: [defaultCompany({ realmId: '701', country: 'US' })] });
    s.emu.admin.setPreferences('701', { ProductAndServicesPrefs: { QuantityOnHand: false } });
    untracked = connect(s.emu, '701');
  });
  afterAll(() => s.emu.close());

  /** A fresh Inventory item with 100 on hand at cost 8, so each case starts from a known quantity. */
  async function newItem(qbo: Qbo = s.qbo): Promise<string> {
    const item = await qbo.call('createItem', {
      Name: `Stock item ${++itemNo}`,
      Sku: `STOCK-${itemNo}`,
      Type: 'Inventory',
      TrackQtyOnHand: true,
      QtyOnHand: 100,
      InvStartDate: '2026-01-01',
      UnitPrice: 20,
      PurchaseCost: 8,
      IncomeAccountRef: { value: A.salesOfProduct },
      ExpenseAccountRef: { value: A.costOfGoodsSold },
      AssetAccountRef: { value: A.inventoryAsset },
    });
    return String(item.Id);
  }

  async function qtyOf(itemId: string): Promise<number> {
    return Number((await s.qbo.call('getItem', itemId)).QtyOnHand);
  }

  const sale = (itemId: string, qty: number) => ({ Line: [itemLine(itemId, qty, 20, 20 * qty, 'NON')] });
  const refund = (itemId: string, qty: number) => ({ ...sale(itemId, qty), DepositToAccountRef: { value: A.checking } });
  const credit = (itemId: string, qty: number) => ({ ...sale(itemId, qty), CustomerRef: { value: L.shopifyCustomer } });
  const invoice = credit;
  const expenseLine = (itemId: string, qty: number) => ({
    DetailType: 'ItemBasedExpenseLineDetail',
    Amount: 8 * qty,
    ItemBasedExpenseLineDetail: { ItemRef: { value: itemId }, Qty: qty, UnitPrice: 8 },
  });
  const purchase = (itemId: string, qty: number) => ({
    PaymentType: 'Cash',
    AccountRef: { value: A.checking },
    Line: [expenseLine(itemId, qty)],
  });
  const bill = (itemId: string, qty: number) => ({ VendorRef: { value: L.shopifyVendor }, Line: [expenseLine(itemId, qty)] });

  interface Form {
    entity: string;
    body: (itemId: string, qty: number) => Record<string, unknown>;
    /** Units on hand move by sign × Qty. */
    sign: 1 | -1;
  }
  const forms: Form[] = [
    { entity: 'SalesReceipt', body: sale, sign: -1 },
    { entity: 'Invoice', body: invoice, sign: -1 },
    { entity: 'RefundReceipt', body: refund, sign: 1 },
    { entity: 'CreditMemo', body: credit, sign: 1 },
    { entity: 'Purchase', body: purchase, sign: 1 },
    { entity: 'Bill', body: bill, sign: 1 },
  ];

  it.each(forms)('$entity with Qty 3 moves QtyOnHand by $sign × 3, and deleting it puts it back', async ({ entity, body, sign }) => {
    const itemId = await newItem();
    const doc = await s.qbo.call(`create${entity}`, body(itemId, 3));
    expect(await qtyOf(itemId)).toBe(100 + sign * 3);
    await s.qbo.call(`delete${entity}`, doc);
    expect(await qtyOf(itemId)).toBe(100);
  });

  it.each(forms)('$entity updated from Qty 3 to Qty 5 moves QtyOnHand by the difference', async ({ entity, body, sign }) => {
    const itemId = await newItem();
    const doc = await s.qbo.call(`create${entity}`, body(itemId, 3));
    const { Line } = body(itemId, 5) as { Line: unknown[] };
    await s.qbo.call(`update${entity}`, { Id: doc.Id, SyncToken: doc.SyncToken, sparse: true, Line });
    expect(await qtyOf(itemId)).toBe(100 + sign * 5);
  });

  it.each([
    { entity: 'SalesReceipt', path: 'salesreceipt?operation=update&include=void&minorversion=75', body: sale },
    { entity: 'Invoice', path: 'invoice?operation=void&minorversion=75', body: invoice },
    { entity: 'RefundReceipt', path: 'refundreceipt?operation=void&minorversion=75', body: refund },
  ])('voiding a $entity puts its units back and keeps it voided', async ({ entity, path, body }) => {
    const itemId = await newItem();
    const doc = await s.qbo.call(`create${entity}`, body(itemId, 4));
    expect(await qtyOf(itemId)).not.toBe(100);
    const voided = await raw(s, 'POST', path, { Id: doc.Id, SyncToken: doc.SyncToken, sparse: true });
    expect(voided.status).toBe(200);
    expect(voided.body[entity].TotalAmt).toBe(0);
    expect(await qtyOf(itemId)).toBe(100);
  });

  it('takes fractional quantities and lets stock go below zero (QBO warns in its UI, the API books it)', async () => {
    const itemId = await newItem();
    await s.qbo.call('createPurchase', purchase(itemId, 0.5));
    expect(await qtyOf(itemId)).toBe(100.5);
    await s.qbo.call('createSalesReceipt', sale(itemId, 101));
    expect(await qtyOf(itemId)).toBe(-0.5);
  });

  it('a vendor credit (Purchase with Credit: true) takes units out', async () => {
    const itemId = await newItem();
    await s.qbo.call('createPurchase', { ...purchase(itemId, 2), Credit: true });
    expect(await qtyOf(itemId)).toBe(98);
  });

  it('moves nothing for Service items and for lines without Qty', async () => {
    const itemId = await newItem();
    const service = await s.qbo.call('getItem', I.service);
    await s.qbo.call('createSalesReceipt', { Line: [itemLine(I.service, 3, 5, 15, 'NON')] });
    await s.qbo.call('createSalesReceipt', {
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 20,
          SalesItemLineDetail: { ItemRef: { value: itemId }, TaxCodeRef: { value: 'NON' } },
        },
      ],
    });
    expect(await qtyOf(itemId)).toBe(100);
    expect((await s.qbo.call('getItem', I.service)).QtyOnHand).toBe(service.QtyOnHand);
  });

  describe('InventoryAdjustment', () => {
    const adjust = (lines: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
      raw(s, 'POST', 'inventoryadjustment?minorversion=75', {
        AdjustAccountRef: { value: A.inventoryShrinkage },
        Line: lines.map((d) => ({ DetailType: 'ItemAdjustmentLineDetail', ItemAdjustmentLineDetail: d })),
        ...extra,
      });

    it.each([
      { name: 'QtyDiff −4', detail: { QtyDiff: -4 }, after: 96 },
      { name: 'QtyDiff +7', detail: { QtyDiff: 7 }, after: 107 },
      { name: 'NewQty 40', detail: { NewQty: 40 }, after: 40 },
      { name: 'NewQty 100 (no change)', detail: { NewQty: 100 }, after: 100 },
    ])('$name leaves $after on hand, and deleting the adjustment puts it back', async ({ detail, after }) => {
      const itemId = await newItem();
      const created = await adjust([{ ItemRef: { value: itemId }, ...detail }]);
      expect(created.status).toBe(200);
      const adj = created.body.InventoryAdjustment;
      expect(adj).toMatchObject({ Id: expect.stringMatching(/^\d+$/), SyncToken: '0', AdjustAccountRef: { value: A.inventoryShrinkage } });
      expect(adj.Line[0]).toMatchObject({ Id: '1', DetailType: 'ItemAdjustmentLineDetail', ItemAdjustmentLineDetail: detail });
      expect(await qtyOf(itemId)).toBe(after);
      const read = await raw(s, 'GET', `inventoryadjustment/${adj.Id}?minorversion=75`);
      expect(read.body.InventoryAdjustment).toEqual(adj);
      const deleted = await raw(s, 'POST', 'inventoryadjustment?operation=delete&minorversion=75', {
        Id: adj.Id,
        SyncToken: adj.SyncToken,
      });
      expect(deleted.body.InventoryAdjustment).toMatchObject({ Id: adj.Id, status: 'Deleted' });
      expect(await qtyOf(itemId)).toBe(100);
    });

    it('values the change at the item cost: the asset account moves against AdjustAccountRef', async () => {
      const itemId = await newItem();
      const assetBefore = cents((await s.qbo.call('getAccount', A.inventoryAsset)).CurrentBalance);
      const shrinkBefore = cents((await s.qbo.call('getAccount', A.inventoryShrinkage)).CurrentBalance);
      await adjust([{ ItemRef: { value: itemId }, QtyDiff: -5 }]);
      expect(cents((await s.qbo.call('getAccount', A.inventoryAsset)).CurrentBalance)).toBe(assetBefore - 4000);
      expect(cents((await s.qbo.call('getAccount', A.inventoryShrinkage)).CurrentBalance)).toBe(shrinkBefore + 4000);
    });

    it('a sparse update moves the difference; its TxnDate cannot be edited', async () => {
      const itemId = await newItem();
      const adj = (await adjust([{ ItemRef: { value: itemId }, QtyDiff: -2 }], { TxnDate: '2026-11-02' })).body.InventoryAdjustment;
      const updated = await raw(s, 'POST', 'inventoryadjustment?operation=update&minorversion=75', {
        Id: adj.Id,
        SyncToken: adj.SyncToken,
        sparse: true,
        Line: [{ DetailType: 'ItemAdjustmentLineDetail', ItemAdjustmentLineDetail: { ItemRef: { value: itemId }, NewQty: 90 } }],
      });
      expect(updated.status).toBe(200);
      expect(updated.body.InventoryAdjustment.SyncToken).toBe('1');
      expect(await qtyOf(itemId)).toBe(90);
      const moved = await raw(s, 'POST', 'inventoryadjustment?operation=update&minorversion=75', {
        Id: adj.Id,
        SyncToken: '1',
        sparse: true,
        TxnDate: '2026-11-03',
      });
      expect(moved.status).toBe(400);
      expect(moved.body.Fault.Error[0]).toMatchObject({ code: '6000', element: 'TxnDate' });
      expect(await qtyOf(itemId)).toBe(90);
    });

    it.each([
      { name: 'no AdjustAccountRef', body: { Line: [] }, code: '2020' },
      { name: 'a Service item', lines: [{ ItemRef: { value: I.service }, QtyDiff: 1 }], code: '6000' },
      { name: 'both QtyDiff and NewQty', lines: [{ QtyDiff: 1, NewQty: 3 }], code: '6000' },
      { name: 'neither QtyDiff nor NewQty', lines: [{}], code: '2020' },
      { name: 'a missing item', lines: [{ ItemRef: { value: '999999' }, QtyDiff: 1 }], code: '2500' },
    ])('refuses $name with $code and moves nothing', async ({ body, lines, code }) => {
      const itemId = await newItem();
      const answer = body
        ? await raw(s, 'POST', 'inventoryadjustment?minorversion=75', body)
        : await adjust((lines ?? []).map((l) => ({ ItemRef: { value: itemId }, ...l })));
      expect(answer.status).toBe(400);
      expect(answer.body.Fault.Error[0].code).toBe(code);
      expect(await qtyOf(itemId)).toBe(100);
    });

    it('is listed by a query and by change data capture', async () => {
      const itemId = await newItem();
      const adj = (await adjust([{ ItemRef: { value: itemId }, QtyDiff: 1 }])).body.InventoryAdjustment;
      const found = await raw(s, 'GET', `query?query=${encodeURIComponent(`select * from InventoryAdjustment where Id = '${adj.Id}'`)}`);
      expect(found.body.QueryResponse.InventoryAdjustment).toEqual([adj]);
      const since = encodeURIComponent(adj.MetaData.CreateTime);
      const cdc = await raw(s, 'GET', `cdc?entities=InventoryAdjustment&changedSince=${since}&minorversion=75`);
      expect(cdc.body.CDCResponse[0].QueryResponse[0].InventoryAdjustment).toContainEqual(adj);
    });
  });

  it('Item queries page over the moved quantities (STARTPOSITION / MAXRESULTS)', async () => {
    const ids = [await newItem(), await newItem(), await newItem()];
    await s.qbo.call('createSalesReceipt', sale(ids[0] as string, 1));
    await s.qbo.call('createBill', bill(ids[1] as string, 2));
    const all = await s.qbo.call('findItems', "where Type = 'Inventory'");
    const inventory = all.QueryResponse.Item as { Id: string; QtyOnHand: number }[];
    const expected = new Map([
      [ids[0], 99],
      [ids[1], 102],
      [ids[2], 100],
    ]);
    for (const item of inventory) if (expected.has(item.Id)) expect(item.QtyOnHand).toBe(expected.get(item.Id));
    expect(inventory.filter((i) => expected.has(i.Id))).toHaveLength(3);
    const pages: { Id: string; QtyOnHand: number }[] = [];
    for (let start = 1; start <= inventory.length; start += 2) {
      const page = await s.qbo.call('findItems', `where Type = 'Inventory' startposition ${start} maxresults 2`);
      pages.push(...(page.QueryResponse.Item as { Id: string; QtyOnHand: number }[]));
    }
    expect(pages.map((i) => [i.Id, i.QtyOnHand])).toEqual(inventory.map((i) => [i.Id, i.QtyOnHand]));
  });

  describe('a company that does not track quantity on hand', () => {
    it('says so in Preferences.ProductAndServicesPrefs.QuantityOnHand, while the default company says true', async () => {
      expect((await untracked.call('getPreferences')).ProductAndServicesPrefs.QuantityOnHand).toBe(false);
      expect((await s.qbo.call('getPreferences')).ProductAndServicesPrefs.QuantityOnHand).toBe(true);
    });

    it('refuses a new Inventory item and an inventory adjustment (6000)', async () => {
      const fault = await faultOf(newItem(untracked));
      expect(fault).toMatchObject({ code: '6000', element: 'Type' });
      expect(fault.detail).toContain('Track quantity on hand is turned off');
      const res = await fetch(`${s.emu.v3Endpoint}701/inventoryadjustment?minorversion=75`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${String(untracked.client.token)}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: JSON.stringify({
          AdjustAccountRef: { value: A.inventoryShrinkage },
          Line: [{ DetailType: 'ItemAdjustmentLineDetail', ItemAdjustmentLineDetail: { ItemRef: { value: I.tee }, QtyDiff: 1 } }],
        }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).Fault.Error[0].code).toBe('6000');
    });

    it('keeps the Inventory items its company file holds', async () => {
      expect(await untracked.call('getItem', I.tee)).toMatchObject({ Type: 'Inventory', QtyOnHand: 100 });
    });
  });
});
