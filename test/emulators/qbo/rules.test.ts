import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_ITEM_IDS as I, DEFAULT_LIST_IDS as L, defaultCompany } from '../../../emulators/qbo';
import { cents, connect, faultOf, itemLine, start, type Qbo, type Started } from './helpers';

describe('QBO emulator: the business rules QBO enforces', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(() => s.emu.close());

  const lines = [itemLine(I.service, 1, 5, 5, 'NON')];

  it('rejects a DocNumber over 21 characters', async () => {
    const fault = await faultOf(s.qbo.call('createSalesReceipt', { DocNumber: 'SHOP-1234567890123456X', Line: lines }));
    expect(fault.code).toBe('2050');
    expect(fault.element).toBe('DocNumber');
    expect((await s.qbo.call('createSalesReceipt', { DocNumber: 'SHOP-123456789012345X', Line: lines })).DocNumber).toHaveLength(21);
  });

  it('rejects a duplicate DocNumber of the same transaction type with 6140 unless allowduplicatedocnum is sent', async () => {
    await s.qbo.call('createSalesReceipt', { DocNumber: 'DUP-1', Line: lines });
    const fault = await faultOf(s.qbo.call('createSalesReceipt', { DocNumber: 'DUP-1', Line: lines }));
    expect(fault.code).toBe('6140');
    expect(fault.message).toBe('Duplicate Document Number Error');
    const invoice = await s.qbo.call('createInvoice', { DocNumber: 'DUP-1', CustomerRef: { value: L.shopifyCustomer }, Line: lines });
    expect(invoice.DocNumber).toBe('DUP-1');
    const allowed = await s.qbo.call('createSalesReceipt', { DocNumber: 'DUP-1', Line: lines, allowDuplicateDocNum: true });
    expect(allowed.DocNumber).toBe('DUP-1');
  });

  it('keeps DisplayName unique across Customer and Vendor (6240)', async () => {
    await s.qbo.call('createCustomer', { DisplayName: 'Acme Supplies' });
    const fault = await faultOf(s.qbo.call('createVendor', { DisplayName: 'acme supplies' }));
    expect(fault.code).toBe('6240');
    expect(fault.message).toBe('Duplicate Name Exists Error');
    // Real QBO names no Id of the holder (docs/qbo-facts.md §7): the detail ends ": null".
    expect(fault.detail).toBe('The name supplied already exists. : null');
  });

  it('answers 6240 for a name an inactive entity holds, and finds that entity only when the query names Active', async () => {
    const item = await s.qbo.call('createItem', { Name: 'Retired Mug', Type: 'Service', IncomeAccountRef: { value: A.salesOfProduct } });
    await s.qbo.call('updateItem', { Id: item.Id, SyncToken: item.SyncToken, Active: false, sparse: true });
    const fault = await faultOf(
      s.qbo.call('createItem', { Name: 'retired mug', Type: 'Service', IncomeAccountRef: { value: A.salesOfProduct } }),
    );
    expect(fault.code).toBe('6240');
    expect(fault.detail).toBe('The name supplied already exists. : null');
    const active = await s.qbo.call('findItems', "where Name = 'Retired Mug'");
    expect(active.QueryResponse.Item ?? []).toEqual([]);
    const all = await s.qbo.call('findItems', "where Name = 'Retired Mug' AND Active IN (true, false)");
    expect(all.QueryResponse.Item.map((i: { Id: string; Active: boolean }) => [i.Id, i.Active])).toEqual([[item.Id, false]]);
  });

  it('builds a DisplayName from the name parts when none is sent', async () => {
    const customer = await s.qbo.call('createCustomer', { GivenName: 'Ada', FamilyName: 'Lovelace' });
    expect(customer.DisplayName).toBe('Ada Lovelace');
    expect((await faultOf(s.qbo.call('createCustomer', { Notes: 'nameless' }))).code).toBe('2020');
  });

  it('keeps Item names unique (6240)', async () => {
    const fault = await faultOf(
      s.qbo.call('createItem', { Name: 'blue tee', Type: 'Service', IncomeAccountRef: { value: A.salesOfProduct } }),
    );
    expect(fault.code).toBe('6240');
  });

  it('answers an update with an old SyncToken with 5010 Stale Object Error', async () => {
    const customer = await s.qbo.call('createCustomer', { DisplayName: 'Stale Co' });
    await s.qbo.call('updateCustomer', { Id: customer.Id, SyncToken: customer.SyncToken, Notes: 'first' });
    const fault = await faultOf(s.qbo.call('updateCustomer', { Id: customer.Id, SyncToken: customer.SyncToken, Notes: 'second' }));
    expect(fault.code).toBe('5010');
    expect(fault.message).toBe('Stale Object Error');
    // As Intuit's batch sample answer reads: no Id, no SyncToken (docs/qbo-facts.md §7).
    expect(fault.detail).toBe(
      'Stale Object Error : You and root were working on this at the same time. root finished before you did, so your work was not saved.',
    );
    expect(fault.element).toBe('');
  });

  it('rejects a reference to a missing entity (2500) and to an inactive one (610)', async () => {
    const missing = await faultOf(s.qbo.call('createSalesReceipt', { Line: [itemLine('99999', 1, 5, 5, 'NON')] }));
    expect(missing.code).toBe('2500');
    expect(missing.message).toBe('Invalid Reference Id');
    const customer = await s.qbo.call('createCustomer', { DisplayName: 'Gone Away' });
    await s.qbo.call('updateCustomer', { Id: customer.Id, SyncToken: customer.SyncToken, Active: false });
    const inactive = await faultOf(s.qbo.call('createSalesReceipt', { CustomerRef: { value: customer.Id }, Line: lines }));
    expect(inactive.code).toBe('610');
    const badAccount = await faultOf(s.qbo.call('createSalesReceipt', { DepositToAccountRef: { value: '424242' }, Line: lines }));
    expect(badAccount.code).toBe('2500');
  });

  it('requires the accounts of each item type and keeps TrackQtyOnHand on once it is on', async () => {
    const noIncome = await faultOf(s.qbo.call('createItem', { Name: 'Svc', Type: 'Service' }));
    expect(noIncome.code).toBe('2020');
    expect(noIncome.element).toBe('IncomeAccountRef');
    const noAsset = await faultOf(
      s.qbo.call('createItem', {
        Name: 'Mug',
        Type: 'Inventory',
        TrackQtyOnHand: true,
        QtyOnHand: 5,
        InvStartDate: '2026-01-01',
        IncomeAccountRef: { value: A.salesOfProduct },
        ExpenseAccountRef: { value: A.costOfGoodsSold },
      }),
    );
    expect(noAsset.element).toBe('AssetAccountRef');
    const wrongCogs = await faultOf(
      s.qbo.call('createItem', {
        Name: 'Mug',
        Type: 'Inventory',
        TrackQtyOnHand: true,
        QtyOnHand: 5,
        InvStartDate: '2026-01-01',
        IncomeAccountRef: { value: A.salesOfProduct },
        ExpenseAccountRef: { value: A.checking },
        AssetAccountRef: { value: A.inventoryAsset },
      }),
    );
    expect(wrongCogs.code).toBe('6000');
    const tee = await s.qbo.call('getItem', I.tee);
    const off = await faultOf(s.qbo.call('updateItem', { Id: tee.Id, SyncToken: tee.SyncToken, TrackQtyOnHand: false }));
    expect(off.code).toBe('6000');
    expect(off.detail).toContain('TrackQtyOnHand');
  });

  it('checks that a line Amount equals Qty × UnitPrice within a cent', async () => {
    const fault = await faultOf(s.qbo.call('createSalesReceipt', { Line: [itemLine(I.service, 3, 3.33, 10.01, 'NON')] }));
    expect(fault.code).toBe('6000');
    expect(fault.detail).toContain('Amount is not equal to UnitPrice * Qty');
    const ok = await s.qbo.call('createSalesReceipt', { Line: [itemLine(I.service, 3, 3.333, 10, 'NON')] });
    expect(ok.TotalAmt).toBe(10);
  });

  it('allows a negative line (a gift-card redemption) but not a negative total', async () => {
    const redemption = {
      DetailType: 'SalesItemLineDetail',
      Amount: -15,
      SalesItemLineDetail: { ItemRef: { value: I.giftCard }, TaxCodeRef: { value: 'NON' } },
    };
    const sr = await s.qbo.call('createSalesReceipt', { Line: [itemLine(I.service, 4, 5, 20, 'NON'), redemption] });
    expect(sr.TotalAmt).toBe(5);
    const fault = await faultOf(s.qbo.call('createSalesReceipt', { Line: [itemLine(I.service, 1, 5, 5, 'NON'), redemption] }));
    expect(fault.code).toBe('6000');
  });

  it('takes stock off an Inventory item when it is sold and puts it back on a refund', async () => {
    const before = (await s.qbo.call('getItem', I.tee)).QtyOnHand;
    await s.qbo.call('createSalesReceipt', { Line: [itemLine(I.tee, 3, 20, 60, 'TAX')] });
    expect((await s.qbo.call('getItem', I.tee)).QtyOnHand).toBe(before - 3);
    await s.qbo.call('createRefundReceipt', {
      DepositToAccountRef: { value: A.undepositedFunds },
      Line: [itemLine(I.tee, 1, 20, 20, 'TAX')],
    });
    expect((await s.qbo.call('getItem', I.tee)).QtyOnHand).toBe(before - 2);
  });

  it('marks a RefundReceipt from a Bank account "NeedToPrint" / "To Print" unless told otherwise, as Intuit\'s sample shows', async () => {
    const unsaid = await s.qbo.call('createRefundReceipt', { DepositToAccountRef: { value: A.checking }, Line: lines });
    expect([unsaid.PrintStatus, unsaid.PaymentRefNum]).toEqual(['NeedToPrint', 'To Print']);
    const said = await s.qbo.call('createRefundReceipt', {
      DepositToAccountRef: { value: A.checking },
      PrintStatus: 'NotSet',
      PaymentRefNum: '9001',
      Line: lines,
    });
    expect([said.PrintStatus, said.PaymentRefNum]).toEqual(['NotSet', '9001']);
  });

  it('requires a RefundReceipt to say which account the money leaves from', async () => {
    const fault = await faultOf(s.qbo.call('createRefundReceipt', { Line: lines }));
    expect(fault.code).toBe('2020');
    expect(fault.element).toBe('DepositToAccountRef');
  });

  it('refuses a payment larger than the invoice balance', async () => {
    const invoice = await s.qbo.call('createInvoice', { CustomerRef: { value: L.shopifyCustomer }, Line: lines });
    const fault = await faultOf(
      s.qbo.call('createPayment', {
        CustomerRef: { value: L.shopifyCustomer },
        TotalAmt: 6,
        Line: [{ Amount: 6, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
      }),
    );
    expect(fault.code).toBe('6000');
  });
});

describe('QBO emulator: shipping, discounts and stock valuation', () => {
  let s: Started;
  const shippingRealm = '9130350000000077';
  beforeAll(async () => {
    const file = defaultCompany({ realmId: shippingRealm, country: 'US' });
    file.qboCompany.preferences = { SalesFormsPrefs: { AllowShipping: true } };
    s = await start({}, { companies: [file] });
  });
  afterAll(() => s.emu.close());

  const shippingLine = {
    DetailType: 'SalesItemLineDetail',
    Amount: 7,
    SalesItemLineDetail: { ItemRef: { value: 'SHIPPING_ITEM_ID' }, TaxCodeRef: { value: 'NON' } },
  };
  const balance = async (qbo: Qbo, id: string): Promise<number> => cents((await qbo.call('getAccount', id)).CurrentBalance);

  it('accepts SHIPPING_ITEM_ID only where Preferences.SalesFormsPrefs.AllowShipping is on, and books it to Shipping Income', async () => {
    expect((await faultOf(s.qbo.call('createSalesReceipt', { Line: [shippingLine] }))).code).toBe('2500');
    const qbo = connect(s.emu, shippingRealm);
    const before = await balance(qbo, A.shippingIncome);
    expect((await qbo.call('createSalesReceipt', { Line: [shippingLine] })).TotalAmt).toBe(7);
    expect(await balance(qbo, A.shippingIncome)).toBe(before + 700);
  });

  it('computes a percent-based discount from the subtotal and books it to the discount account', async () => {
    const before = await balance(s.qbo, A.discountsGiven);
    const sr = await s.qbo.call('createSalesReceipt', {
      Line: [
        itemLine(I.service, 10, 5, 50, 'NON'),
        { DetailType: 'DiscountLineDetail', DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 } },
      ],
    });
    expect(sr.TotalAmt).toBe(45);
    expect(sr.Line.find((l: any) => l.DetailType === 'DiscountLineDetail').Amount).toBe(5);
    // Discounts given is a contra-income account: the debit shows as a negative balance, as in QBO.
    expect(await balance(s.qbo, A.discountsGiven)).toBe(before - 500);
  });

  it('moves cost of goods sold and inventory asset at PurchaseCost, and books a QtyOnHand change against Inventory Shrinkage', async () => {
    const [asset0, cogs0] = [await balance(s.qbo, A.inventoryAsset), await balance(s.qbo, A.costOfGoodsSold)];
    await s.qbo.call('createSalesReceipt', { Line: [itemLine(I.tee, 2, 20, 40, 'TAX')] });
    expect(await balance(s.qbo, A.inventoryAsset)).toBe(asset0 - 1600);
    expect(await balance(s.qbo, A.costOfGoodsSold)).toBe(cogs0 + 1600);
    const tee = await s.qbo.call('getItem', I.tee);
    await s.qbo.call('updateItem', { Id: tee.Id, SyncToken: tee.SyncToken, QtyOnHand: tee.QtyOnHand - 1 });
    expect(await balance(s.qbo, A.inventoryShrinkage)).toBe(800);
    expect(await balance(s.qbo, A.inventoryAsset)).toBe(asset0 - 2400);
  });

  it("posts an account's opening balance once and keeps it through later updates", async () => {
    const account = await s.qbo.call('createAccount', {
      Name: 'Savings',
      AccountType: 'Bank',
      AccountSubType: 'Savings',
      OpeningBalance: 250,
      OpeningBalanceDate: '2026-01-01',
    });
    expect(account.CurrentBalance).toBe(250);
    const renamed = await s.qbo.call('updateAccount', { Id: account.Id, SyncToken: account.SyncToken, Name: 'Reserve Savings' });
    expect(renamed.CurrentBalance).toBe(250);
    expect(renamed.FullyQualifiedName).toBe('Reserve Savings');
  });
});
