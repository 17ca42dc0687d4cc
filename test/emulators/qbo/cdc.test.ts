/**
 * Change data capture (issue #12 item 17, docs/qbo-facts.md §5): what changed since an instant, deleted objects
 * as `status: "Deleted"`, at most 30 days back. The shapes and the two faults are those of recorded real traffic
 * (https://github.com/minimul/qbo_api spec/vcr/qbo_api/cdc/basic.yml, MIT), replayed here through node-quickbooks'
 * own `changeDataCapture`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_IDS as I } from '../../../emulators/qbo';
import { faultOf, itemLine, raw, start, type Started } from './helpers';

describe('QBO emulator: change data capture', () => {
  let s: Started;
  let checkpoint: string;
  let kept: any;
  let edited: any;
  let removed: any;

  beforeAll(async () => {
    s = await start();
    await s.qbo.call('createSalesReceipt', { DocNumber: 'CDC-OLD', Line: [itemLine(I.service, 1, 10, 10, 'NON')] });
    s.emu.admin.clock.advance(60_000);
    checkpoint = new Date(s.emu.admin.clock.now()).toISOString();
    s.emu.admin.clock.advance(1_000);
    kept = await s.qbo.call('createSalesReceipt', { DocNumber: 'CDC-NEW', Line: [itemLine(I.service, 1, 20, 20, 'NON')] });
    edited = await s.qbo.call('createSalesReceipt', { DocNumber: 'CDC-EDIT', Line: [itemLine(I.service, 1, 30, 30, 'NON')] });
    edited = await s.qbo.call('updateSalesReceipt', {
      Id: edited.Id,
      SyncToken: edited.SyncToken,
      sparse: true,
      PrivateNote: 'changed by a person',
    });
    removed = await s.qbo.call('createSalesReceipt', { DocNumber: 'CDC-GONE', Line: [itemLine(I.service, 1, 40, 40, 'NON')] });
    await s.qbo.call('deleteSalesReceipt', { Id: removed.Id, SyncToken: removed.SyncToken });
  });
  afterAll(() => s.emu.close());

  it('answers with what changed since the instant, in full, and what was deleted as status "Deleted"', async () => {
    const data = await s.qbo.call('changeDataCapture', ['SalesReceipt', 'Invoice'], checkpoint);
    expect(Object.keys(data)).toEqual(['CDCResponse', 'time']);
    const [sales, invoices] = data.CDCResponse[0].QueryResponse;
    expect(invoices).toEqual({});
    const byId = new Map((sales.SalesReceipt as any[]).map((d) => [d.Id, d]));
    expect([...byId.keys()].sort()).toEqual([kept.Id, edited.Id, removed.Id].sort());
    expect(byId.get(kept.Id).DocNumber).toBe('CDC-NEW');
    expect(byId.get(edited.Id)).toMatchObject({ PrivateNote: 'changed by a person', SyncToken: '1', TotalAmt: 30 });
    expect(byId.get(removed.Id)).toMatchObject({ Id: removed.Id, status: 'Deleted', domain: 'QBO' });
    expect(byId.get(removed.Id).MetaData.LastUpdatedTime).toEqual(expect.any(String));
    expect(sales).toMatchObject({ startPosition: 1, maxResults: 3 });
  });

  it('matches entity names without case, as the recorded `entities=estimate` did', async () => {
    const data = await s.qbo.call('changeDataCapture', 'salesreceipt', checkpoint);
    expect(data.CDCResponse[0].QueryResponse[0].SalesReceipt).toHaveLength(3);
  });

  it('answers a missing or unknown entity list with the recorded SystemFault 10000 on HTTP 200', async () => {
    const missing = await raw(s, 'GET', `cdc?changedSince=${checkpoint}`);
    expect(missing.status).toBe(200);
    expect(missing.body.Fault).toMatchObject({
      type: 'SystemFault',
      Error: [{ code: '10000', Detail: 'System Failure Error: java.lang.IllegalArgumentException: entities is required' }],
    });
    const unknown = await faultOf(s.qbo.call('changeDataCapture', ['estimates'], checkpoint));
    expect(unknown.code).toBe('10000');
    expect(unknown.detail).toBe('System Failure Error: java.lang.IllegalArgumentException: Invalid entity supplied : entity=estimates');
  });

  it('refuses a changedSince more than 30 days back', async () => {
    const old = new Date(s.emu.admin.clock.now() - 31 * 86_400_000).toISOString();
    const fault = await faultOf(s.qbo.call('changeDataCapture', ['SalesReceipt'], old));
    expect(fault.status).toBe(400);
    expect(fault.detail).toContain('more than 30 days ago');
  });
});
