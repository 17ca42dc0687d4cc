import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_IDS as I, defaultCompany } from '../../../emulators/qbo';
import { connect, faultOf, itemLine, raw, start, type Started } from './helpers';

describe('QBO emulator: requestid replay and commit-then-drop (docs/qbo-facts.md §2)', () => {
  let s: Started;
  const otherRealm = '9130350000000002';
  beforeAll(async () => {
    s = await start({}, { companies: [defaultCompany({ realmId: otherRealm, country: 'US' })] });
  });
  afterAll(() => s.emu.close());

  const lines = () => [itemLine(I.service, 1, 5, 5, 'NON')];
  const count = async (docNumber: string, qbo = s.qbo): Promise<number> =>
    (await qbo.call('findSalesReceipts', { DocNumber: docNumber, count: true })).QueryResponse.totalCount;

  it('answers a repeated requestid with the stored original response and creates one document', async () => {
    const first = await raw(s, 'POST', 'salesreceipt?requestid=order-1001-attempt&minorversion=75', { DocNumber: 'IDEM-1', Line: lines() });
    s.emu.admin.clock.advance(3_000);
    const second = await raw(s, 'POST', 'salesreceipt?requestid=order-1001-attempt&minorversion=75', {
      DocNumber: 'IDEM-1',
      Line: lines(),
    });
    expect(second).toEqual(first);
    expect(await count('IDEM-1')).toBe(1);
  });

  it('replays the original even when the retry carries another body, through node-quickbooks', async () => {
    const first = await s.qbo.call('createSalesReceipt', { requestId: 'sync-order-1002', DocNumber: 'IDEM-2', Line: lines() });
    const second = await s.qbo.call('createSalesReceipt', { requestId: 'sync-order-1002', DocNumber: 'IDEM-2-CHANGED', Line: lines() });
    expect(second).toEqual(first);
    expect(await count('IDEM-2-CHANGED')).toBe(0);
  });

  it('replays a stored Fault as well (same requestid, same answer)', async () => {
    const bad = await faultOf(
      s.qbo.call('createSalesReceipt', { requestId: 'sync-order-1003', Line: [itemLine('424242', 1, 5, 5, 'NON')] }),
    );
    const retried = await faultOf(s.qbo.call('createSalesReceipt', { requestId: 'sync-order-1003', DocNumber: 'IDEM-3', Line: lines() }));
    expect(retried.body).toEqual(bad.body);
    expect(await count('IDEM-3')).toBe(0);
  });

  it('replays a stored Fault after its cause is fixed; only a new requestid sees the fix', async () => {
    const customer = await s.qbo.call('createCustomer', { DisplayName: 'Paused Buyer' });
    const paused = await s.qbo.call('updateCustomer', { Id: customer.Id, SyncToken: customer.SyncToken, Active: false, sparse: true });
    const body = { DocNumber: 'IDEM-5', CustomerRef: { value: customer.Id }, Line: lines() };
    const refused = await faultOf(s.qbo.call('createSalesReceipt', { requestId: 'order-1005-a1', ...body }));
    expect(refused.code).toBe('610');
    await s.qbo.call('updateCustomer', { Id: customer.Id, SyncToken: paused.SyncToken, Active: true, sparse: true });
    const replayed = await faultOf(s.qbo.call('createSalesReceipt', { requestId: 'order-1005-a1', ...body }));
    expect(replayed.body).toEqual(refused.body);
    expect(await count('IDEM-5')).toBe(0);
    const fresh = await s.qbo.call('createSalesReceipt', { requestId: 'order-1005-a2', ...body });
    expect(fresh.DocNumber).toBe('IDEM-5');
    expect(await count('IDEM-5')).toBe(1);
  });

  it('keeps requestids per company', async () => {
    const other = connect(s.emu, otherRealm);
    await s.qbo.call('createSalesReceipt', { requestId: 'shared-id', DocNumber: 'IDEM-4', Line: lines() });
    await other.call('createSalesReceipt', { requestId: 'shared-id', DocNumber: 'IDEM-4', Line: lines() });
    expect(await count('IDEM-4', other)).toBe(1);
  });

  it('refuses a requestid longer than 50 characters', async () => {
    const fault = await faultOf(s.qbo.call('createSalesReceipt', { requestId: 'x'.repeat(51), Line: lines() }));
    expect(fault.code).toBe('2050');
    expect(fault.element).toBe('requestid');
  });

  it('commits then drops the connection: the client errors, the document exists, the retry gets it back', async () => {
    s.emu.admin.setFaults([{ match: 'SalesReceipt:create', commitThenDrop: true, times: 1 }]);
    const dropped = await faultOf(s.qbo.call('createSalesReceipt', { requestId: 'drop-1', DocNumber: 'DROP-1', Line: lines() }));
    expect(dropped.status).toBeUndefined();
    expect(String(dropped.body?.code ?? dropped.body?.message)).toMatch(/ECONNRESET|socket hang up/);
    expect(await count('DROP-1')).toBe(1);
    const retried = await s.qbo.call('createSalesReceipt', { requestId: 'drop-1', DocNumber: 'DROP-1', Line: lines() });
    expect(retried.DocNumber).toBe('DROP-1');
    expect(await count('DROP-1')).toBe(1);
    const log = s.emu.admin.requestLog({ realmId: s.realmId }).filter((e) => e.requestId === 'drop-1');
    expect(log.map((e) => [e.entity, e.operation, e.dropped, e.replayed])).toEqual([
      ['SalesReceipt', 'create', true, false],
      ['SalesReceipt', 'create', false, true],
    ]);
  });
});
