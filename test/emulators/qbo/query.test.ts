import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_IDS as I } from '../../../emulators/qbo';
import { faultOf, itemLine, start, type Started } from './helpers';

describe("QBO emulator: QBO's query language", () => {
  let s: Started;
  let checkpoint: string;
  const names = ['Q-Alpha', 'Q-Beta', 'Q-Gamma', 'Q-Delta', 'Q-Epsilon'];

  beforeAll(async () => {
    s = await start();
    for (const [i, name] of names.entries()) {
      s.emu.admin.clock.advance(2_000);
      const c = await s.qbo.call('createCustomer', { DisplayName: name });
      if (i === 2) checkpoint = c.MetaData.LastUpdatedTime;
    }
    for (const [doc, date, amount] of [
      ['Q-1', '2026-10-01', 10],
      ['Q-2', '2026-10-15', 20],
      ['Q-3', '2026-11-01', 30],
    ] as const) {
      await s.qbo.call('createSalesReceipt', { DocNumber: doc, TxnDate: date, Line: [itemLine(I.service, amount / 5, 5, amount, 'NON')] });
    }
  });
  afterAll(() => s.emu.close());

  const docNumbers = (r: any): string[] => (r.QueryResponse.SalesReceipt ?? []).map((x: any) => x.DocNumber);

  it('filters with =, <, >, <=, >= and AND on dates', async () => {
    expect(docNumbers(await s.qbo.call('findSalesReceipts', { TxnDate: '2026-10-15' }))).toEqual(['Q-2']);
    expect(docNumbers(await s.qbo.call('findSalesReceipts', [{ field: 'TxnDate', value: '2026-10-15', operator: '<' }]))).toEqual(['Q-1']);
    expect(docNumbers(await s.qbo.call('findSalesReceipts', [{ field: 'TxnDate', value: '2026-10-15', operator: '>' }]))).toEqual(['Q-3']);
    expect(docNumbers(await s.qbo.call('findSalesReceipts', [{ field: 'TxnDate', value: '2026-10-15', operator: '<=' }]))).toEqual([
      'Q-1',
      'Q-2',
    ]);
    expect(
      docNumbers(
        await s.qbo.call('findSalesReceipts', [
          { field: 'TxnDate', value: '2026-10-01', operator: '>=' },
          { field: 'TxnDate', value: '2026-11-01', operator: '<' },
        ]),
      ),
    ).toEqual(['Q-1', 'Q-2']);
  });

  it('filters with IN and LIKE', async () => {
    expect(docNumbers(await s.qbo.call('findSalesReceipts', { DocNumber: ['Q-1', 'Q-3'] }))).toEqual(['Q-1', 'Q-3']);
    const like = await s.qbo.call('findCustomers', [{ field: 'DisplayName', value: 'Q-%ta', operator: 'LIKE' }]);
    expect(like.QueryResponse.Customer.map((c: any) => c.DisplayName)).toEqual(['Q-Beta', 'Q-Delta']);
  });

  it('filters on a dotted field such as MetaData.LastUpdatedTime', async () => {
    const later = await s.qbo.call('findCustomers', [{ field: 'MetaData.LastUpdatedTime', value: checkpoint, operator: '>' }]);
    expect(later.QueryResponse.Customer.map((c: any) => c.DisplayName)).toEqual(['Q-Delta', 'Q-Epsilon']);
  });

  it('counts with select count(*)', async () => {
    const counted = await s.qbo.call('findSalesReceipts', { count: true });
    expect(counted.QueryResponse).toEqual({ totalCount: 3 });
  });

  it('pages with STARTPOSITION (1-based) and MAXRESULTS, and orders with ORDERBY', async () => {
    const page = await s.qbo.call('findCustomers', [
      { field: 'DisplayName', value: 'Q-%', operator: 'LIKE' },
      { field: 'asc', value: 'DisplayName' },
      { field: 'limit', value: 2 },
      { field: 'offset', value: 3 },
    ]);
    expect(page.QueryResponse.startPosition).toBe(3);
    expect(page.QueryResponse.maxResults).toBe(2);
    expect(page.QueryResponse.Customer.map((c: any) => c.DisplayName)).toEqual(['Q-Delta', 'Q-Epsilon']);
    const desc = await s.qbo.call('findSalesReceipts', "where TxnDate > '2026-01-01' orderby TxnDate desc");
    expect(docNumbers(desc)).toEqual(['Q-3', 'Q-2', 'Q-1']);
  });

  it('lets node-quickbooks fetchAll walk every page', async () => {
    const all = await s.qbo.call('findCustomers', { fetchAll: true, limit: 2 });
    expect(all.QueryResponse.Customer.map((c: any) => c.DisplayName)).toEqual(expect.arrayContaining(names));
  });

  it('answers an empty result with an empty QueryResponse', async () => {
    expect((await s.qbo.call('findCustomers', { DisplayName: 'Nobody' })).QueryResponse).toEqual({});
  });

  it('leaves inactive list entities out unless the query asks about Active', async () => {
    const epsilon = (await s.qbo.call('findCustomers', { DisplayName: 'Q-Epsilon' })).QueryResponse.Customer[0];
    await s.qbo.call('updateCustomer', { Id: epsilon.Id, SyncToken: epsilon.SyncToken, Active: false });
    expect((await s.qbo.call('findCustomers', { DisplayName: 'Q-Epsilon' })).QueryResponse).toEqual({});
    const both = await s.qbo.call('findCustomers', [
      { field: 'DisplayName', value: 'Q-Epsilon' },
      { field: 'Active', value: [true, false], operator: 'IN' },
    ]);
    expect(both.QueryResponse.Customer).toHaveLength(1);
  });

  it('refuses MAXRESULTS over 1000, OR, and fields the entity does not have', async () => {
    expect((await faultOf(s.qbo.call('findCustomers', { limit: 1001 }))).code).toBe('4001');
    expect((await faultOf(s.qbo.call('findCustomers', "where DisplayName = 'a' or DisplayName = 'b'"))).code).toBe('4000');
    const unknown = await faultOf(s.qbo.call('findCustomers', { Nickname: 'x' }));
    expect(unknown.code).toBe('4001');
    expect(unknown.status).toBe(400);
  });
});
