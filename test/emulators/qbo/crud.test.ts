import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_ITEM_IDS as I, DEFAULT_LIST_IDS as L } from '../../../emulators/qbo';
import { faultOf, itemLine, raw, start, type Started } from './helpers';

describe('QBO emulator: create, read, update, delete and void through node-quickbooks', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(() => s.emu.close());

  const receipt = (extra: Record<string, unknown> = {}) => ({
    Line: [itemLine(I.service, 2, 5, 10, 'NON'), itemLine(I.shipping, 1, 4.5, 4.5, 'NON')],
    ...extra,
  });

  it('fills the read-only fields of a new SalesReceipt: Id, SyncToken, MetaData, line Ids, TotalAmt, Balance', async () => {
    const sr = await s.qbo.call('createSalesReceipt', receipt({ DocNumber: 'CRUD-1' }));
    expect(sr.Id).toMatch(/^\d+$/);
    expect(sr.SyncToken).toBe('0');
    expect(sr.MetaData.CreateTime).toBe(sr.MetaData.LastUpdatedTime);
    expect(sr.Line.map((l: any) => l.Id)).toEqual(['1', '2', undefined]);
    expect(sr.Line[2]).toEqual({ Amount: 14.5, DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} });
    expect(sr.TotalAmt).toBe(14.5);
    expect(sr.Balance).toBe(0);
    expect(sr.DepositToAccountRef.value).toBe(A.undepositedFunds);
    expect(sr.CurrencyRef.value).toBe('USD');
  });

  it('overwrites a TotalAmt the client sends with the total it computes', async () => {
    const sr = await s.qbo.call('createSalesReceipt', receipt({ TotalAmt: 999.99 }));
    expect(sr.TotalAmt).toBe(14.5);
  });

  it('reads a document back by Id exactly as it was created', async () => {
    const created = await s.qbo.call('createSalesReceipt', receipt({ PrivateNote: 'read me' }));
    const read = await s.qbo.call('getSalesReceipt', created.Id);
    expect(read).toEqual(created);
  });

  it('applies a sparse update: unsent fields stay, SyncToken and LastUpdatedTime move on', async () => {
    const created = await s.qbo.call('createSalesReceipt', receipt({ PrivateNote: 'before', DocNumber: 'CRUD-SPARSE' }));
    s.emu.admin.clock.advance(5_000);
    const updated = await s.qbo.call('updateSalesReceipt', { Id: created.Id, SyncToken: created.SyncToken, PrivateNote: 'after' });
    expect(updated.SyncToken).toBe('1');
    expect(updated.PrivateNote).toBe('after');
    expect(updated.DocNumber).toBe('CRUD-SPARSE');
    expect(updated.TotalAmt).toBe(14.5);
    expect(updated.MetaData.CreateTime).toBe(created.MetaData.CreateTime);
    expect(Date.parse(updated.MetaData.LastUpdatedTime)).toBeGreaterThan(Date.parse(created.MetaData.LastUpdatedTime));
  });

  it('replaces the whole document on a full update (sparse: false)', async () => {
    const created = await s.qbo.call('createSalesReceipt', receipt({ PrivateNote: 'gone after full update' }));
    const updated = await s.qbo.call('updateSalesReceipt', {
      Id: created.Id,
      SyncToken: created.SyncToken,
      sparse: false,
      Line: [itemLine(I.service, 1, 5, 5, 'NON')],
    });
    expect(updated.PrivateNote).toBeUndefined();
    expect(updated.TotalAmt).toBe(5);
    expect(updated.Line.filter((l: any) => l.DetailType === 'SalesItemLineDetail')).toHaveLength(1);
  });

  it('deletes a transaction, after which reading it answers 610 Object Not Found', async () => {
    const created = await s.qbo.call('createSalesReceipt', receipt());
    const deleted = await s.qbo.call('deleteSalesReceipt', { Id: created.Id, SyncToken: created.SyncToken });
    expect(deleted.SalesReceipt).toEqual({ Id: created.Id, status: 'Deleted', domain: 'QBO' });
    const fault = await faultOf(s.qbo.call('getSalesReceipt', created.Id));
    expect(fault.status).toBe(400);
    expect(fault.code).toBe('610');
  });

  it('voids an invoice, its payment and a sales receipt: zero totals, a "Voided" memo, the invoice open again', async () => {
    const invoice = await s.qbo.call('createInvoice', {
      CustomerRef: { value: L.shopifyCustomer },
      Line: [itemLine(I.service, 4, 5, 20, 'NON')],
    });
    const payment = await s.qbo.call('createPayment', {
      CustomerRef: { value: L.shopifyCustomer },
      TotalAmt: 20,
      Line: [{ Amount: 20, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
    });
    expect((await s.qbo.call('getInvoice', invoice.Id)).Balance).toBe(0);
    const voidedPayment = await s.qbo.call('voidPayment', { Id: payment.Id, SyncToken: payment.SyncToken });
    expect(voidedPayment.TotalAmt).toBe(0);
    expect(voidedPayment.PrivateNote).toBe('Voided');
    const reopened = await s.qbo.call('getInvoice', invoice.Id);
    expect(reopened.Balance).toBe(20);
    const voidedInvoice = await s.qbo.call('voidInvoice', reopened);
    expect(voidedInvoice.Invoice.TotalAmt).toBe(0);
    expect(voidedInvoice.Invoice.Balance).toBe(0);
    const sr = await s.qbo.call('createSalesReceipt', receipt());
    const voidedReceipt = await s.qbo.call('updateSalesReceipt', { Id: sr.Id, SyncToken: sr.SyncToken, void: true });
    expect(voidedReceipt.TotalAmt).toBe(0);
    expect(voidedReceipt.Line.every((l: any) => l.Amount === 0)).toBe(true);
  });

  it('refuses to delete a Customer (QBO makes list entities inactive instead)', async () => {
    const customer = await s.qbo.call('createCustomer', { DisplayName: 'Delete Me' });
    const refused = await raw(s, 'POST', 'customer?operation=delete', { Id: customer.Id, SyncToken: customer.SyncToken });
    expect(refused.status).toBe(400);
    expect(refused.body.Fault.Error[0].code).toBe('500');
    const inactive = await s.qbo.call('updateCustomer', { Id: customer.Id, SyncToken: customer.SyncToken, Active: false });
    expect(inactive.Active).toBe(false);
  });

  it('needs Id and SyncToken to delete (2020)', async () => {
    expect((await faultOf(s.qbo.call('deleteSalesReceipt', { Id: '1' }))).code).toBe('2020');
  });

  it('serves Preferences and CompanyInfo', async () => {
    const prefs = await s.qbo.call('getPreferences');
    expect(prefs.TaxPrefs.PartnerTaxEnabled).toBe(true);
    expect(prefs.CurrencyPrefs.HomeCurrency.value).toBe('USD');
    const info = await s.qbo.call('getCompanyInfo', s.realmId);
    expect(info.Country).toBe('US');
    expect(info.CompanyAddr.PostalCode).toBe('94105');
  });
});

describe('QBO emulator: the schema check rejects what QBO rejects', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(() => s.emu.close());

  it('rejects an unknown property with ValidationFault 2010 "Request has invalid or unsupported property"', async () => {
    const fault = await faultOf(s.qbo.call('createSalesReceipt', { ShopifyOrderId: '1', Line: [itemLine(I.service, 1, 5, 5, 'NON')] }));
    expect(fault.status).toBe(400);
    expect(fault.code).toBe('2010');
    expect(fault.message).toBe('Request has invalid or unsupported property');
    expect(fault.body.Fault.type).toBe('ValidationFault');
  });

  it('rejects an unknown property nested in a line', async () => {
    const line = { ...itemLine(I.service, 1, 5, 5, 'NON'), Sku: 'X' };
    expect((await faultOf(s.qbo.call('createSalesReceipt', { Line: [line] }))).code).toBe('2010');
  });

  it('rejects an enum value the schema does not list', async () => {
    const fault = await faultOf(
      s.qbo.call('createPurchase', {
        PaymentType: 'Bitcoin',
        AccountRef: { value: A.checking },
        Line: [
          {
            Amount: 1,
            DetailType: 'AccountBasedExpenseLineDetail',
            AccountBasedExpenseLineDetail: { AccountRef: { value: A.shopifyFees } },
          },
        ],
      }),
    );
    expect(fault.code).toBe('2010');
    expect(fault.detail).toContain('Bitcoin');
  });

  it('rejects an amount that is not a number', async () => {
    const fault = await faultOf(s.qbo.call('createSalesReceipt', { Line: [{ ...itemLine(I.service, 1, 5, 5, 'NON'), Amount: 'five' }] }));
    expect(fault.code).toBe('2010');
  });

  it('rejects a string over its maxLength with 2050', async () => {
    const fault = await faultOf(
      s.qbo.call('createSalesReceipt', { PrivateNote: 'x'.repeat(4001), Line: [itemLine(I.service, 1, 5, 5, 'NON')] }),
    );
    expect(fault.code).toBe('2050');
    expect(fault.element).toBe('PrivateNote');
  });

  it('rejects a missing required field with 2020', async () => {
    const account = await faultOf(s.qbo.call('createAccount', { Name: 'No type' }));
    expect(account.code).toBe('2020');
    expect(account.element).toBe('AccountType');
    const deposit = await faultOf(s.qbo.call('createDeposit', { Line: [] }));
    expect(deposit.code).toBe('2020');
    expect(deposit.element).toBe('DepositToAccountRef');
  });
});
