import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_IDS as I, DEFAULT_LIST_IDS as L } from '../../../emulators/qbo';
import { faultOf, itemLine, raw, start, type Started } from './helpers';

describe('QBO emulator: batch', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(() => s.emu.close());

  it('runs a mixed batch: each item succeeds or carries its own Fault, and the batch itself succeeds', async () => {
    const receipt = await s.qbo.call('createSalesReceipt', { Line: [itemLine(I.service, 1, 5, 5, 'NON')] });
    const vendor = await s.qbo.call('getVendor', L.shopifyVendor);
    const result = await s.qbo.call('batch', [
      { bId: 'c1', operation: 'create', Customer: { DisplayName: 'Batch One' } },
      { bId: 'c2', operation: 'create', Customer: { DisplayName: 'Shopify Customer' } },
      { bId: 'u1', operation: 'update', Vendor: { Id: vendor.Id, SyncToken: vendor.SyncToken, sparse: true, Notes: 'batched' } },
      { bId: 'd1', operation: 'delete', SalesReceipt: { Id: receipt.Id, SyncToken: receipt.SyncToken } },
      { bId: 's1', operation: 'create', SalesReceipt: { Line: [itemLine('424242', 1, 5, 5, 'NON')] } },
      { bId: 'q1', Query: "select * from Vendor where DisplayName = 'Shopify'" },
    ]);
    const byId = Object.fromEntries(result.BatchItemResponse.map((r: any) => [r.bId, r]));
    expect(byId.c1.Customer.DisplayName).toBe('Batch One');
    expect(byId.c2.Fault.Error[0].code).toBe('6240');
    expect(byId.u1.Vendor.Notes).toBe('batched');
    expect(byId.d1.SalesReceipt.status).toBe('Deleted');
    expect(byId.s1.Fault.Error[0].code).toBe('2500');
    expect(byId.q1.QueryResponse.Vendor[0].Notes).toBe('batched');
    expect((await faultOf(s.qbo.call('getSalesReceipt', receipt.Id))).code).toBe('610');
  });

  it('a taxDeltaCents fault rule books another tax than sent, per document (batch items too), consistently', async () => {
    s.emu.admin.setFaults([{ match: 'SalesReceipt:create', taxDeltaCents: 7, times: 1 }]);
    try {
      const sale = (n: string) => ({ DocNumber: n, Line: [itemLine(I.service, 1, 40, 40, 'TAX')], TxnTaxDetail: { TotalTax: 3.3 } });
      const result = await s.qbo.call('batch', [
        { bId: 'a', operation: 'create', SalesReceipt: sale('DELTA-1') },
        { bId: 'b', operation: 'create', SalesReceipt: sale('DELTA-2') },
      ]);
      const [a, b] = result.BatchItemResponse.map((r: any) => r.SalesReceipt);
      expect([a.TxnTaxDetail.TotalTax, a.TotalAmt]).toEqual([3.37, 43.37]);
      // `times: 1`: the next document is booked as sent.
      expect([b.TxnTaxDetail.TotalTax, b.TotalAmt]).toEqual([3.3, 43.3]);
      expect((await s.qbo.call('getSalesReceipt', a.Id)).TotalAmt).toBe(43.37);
    } finally {
      s.emu.admin.clearFaults();
    }
  });

  it('hides what an item created from the later items of the same batch', async () => {
    const result = await s.qbo.call('batch', [
      { bId: 'a', operation: 'create', Customer: { DisplayName: 'Invisible Until Done' } },
      { bId: 'b', Query: "select * from Customer where DisplayName = 'Invisible Until Done'" },
    ]);
    expect(result.BatchItemResponse[1].QueryResponse).toEqual({});
    const after = await s.qbo.call('findCustomers', { DisplayName: 'Invisible Until Done' });
    expect(after.QueryResponse.Customer).toHaveLength(1);
  });

  it('refuses more than 30 items', async () => {
    const items = Array.from({ length: 31 }, (_, i) => ({ bId: String(i), Query: 'select * from Customer' }));
    const fault = await faultOf(s.qbo.call('batch', items));
    expect(fault.status).toBe(400);
    expect(fault.code).toBe('6000');
    const thirty = await s.qbo.call('batch', items.slice(0, 30));
    expect(thirty.BatchItemResponse).toHaveLength(30);
  });

  it('limits a batch requestid to 36 characters and its bIds to 10', async () => {
    const longId = await raw(s, 'POST', `batch?requestid=${'r'.repeat(37)}`, {
      BatchItemRequest: [{ bId: '1', Query: 'select * from Customer' }],
    });
    expect(longId.status).toBe(400);
    expect(longId.body.Fault.Error[0].code).toBe('2050');
    const longBid = await raw(s, 'POST', `batch?requestid=${'r'.repeat(36)}`, {
      BatchItemRequest: [{ bId: 'b'.repeat(11), Query: 'select * from Customer' }],
    });
    expect(longBid.body.Fault.Error[0].element).toBe('bId');
  });
});
