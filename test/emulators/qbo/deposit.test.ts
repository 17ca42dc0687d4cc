import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_ITEM_IDS as I, DEFAULT_LIST_IDS as L } from '../../../emulators/qbo';
import { cents, faultOf, itemLine, start, type Started } from './helpers';

describe('QBO emulator: deposits (Shopify payouts)', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(() => s.emu.close());

  const receipt = async (amount: number, depositTo: string = A.undepositedFunds) =>
    s.qbo.call('createSalesReceipt', { DepositToAccountRef: { value: depositTo }, Line: [itemLine(I.service, 1, amount, amount, 'NON')] });
  const balance = async (accountId: string): Promise<number> => cents((await s.qbo.call('getAccount', accountId)).CurrentBalance);
  const link = (txn: any, amount: number, type = 'SalesReceipt') => ({
    Amount: amount,
    LinkedTxn: [{ TxnId: txn.Id, TxnType: type, TxnLineId: '0' }],
  });
  const fee = (amount: number) => ({
    Amount: amount,
    DetailType: 'DepositLineDetail',
    Description: 'Shopify Payments fees',
    DepositLineDetail: { AccountRef: { value: A.shopifyFees }, Entity: { value: L.shopifyVendor, type: 'Vendor' } },
  });

  it('clears linked receipts and refunds out of Undeposited Funds, books the fee and puts the net in the bank', async () => {
    const [uf0, bank0, fees0] = [await balance(A.undepositedFunds), await balance(A.checking), await balance(A.shopifyFees)];
    const r1 = await receipt(45.3);
    const r2 = await receipt(20);
    const refund = await s.qbo.call('createRefundReceipt', {
      DepositToAccountRef: { value: A.undepositedFunds },
      Line: [itemLine(I.service, 1, 10, 10, 'NON')],
    });
    const deposit = await s.qbo.call('createDeposit', {
      DepositToAccountRef: { value: A.checking },
      PrivateNote: 'Shopify payout 123456',
      Line: [link(r1, 45.3), link(r2, 20), link(refund, -10, 'RefundReceipt'), fee(-1.61)],
    });
    expect(deposit.TotalAmt).toBe(53.69);
    expect(await balance(A.undepositedFunds)).toBe(uf0);
    expect(await balance(A.checking)).toBe(bank0 + 5369);
    expect(await balance(A.shopifyFees)).toBe(fees0 + 161);
  });

  it("rejects a linked line whose amount is not the transaction's total", async () => {
    const r = await receipt(30);
    const fault = await faultOf(s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r, 29.99)] }));
    expect(fault.code).toBe('6000');
    expect(fault.detail).toContain('must equal');
  });

  it('deposits a transaction only once', async () => {
    const r = await receipt(12);
    await s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r, 12)] });
    const fault = await faultOf(s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r, 12)] }));
    expect(fault.code).toBe('6000');
    expect(fault.detail).toContain('already been deposited');
  });

  it('refuses a transaction that went straight to the bank, but takes one from another clearing account', async () => {
    const direct = await receipt(7, A.checking);
    const fault = await faultOf(s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(direct, 7)] }));
    expect(fault.code).toBe('6000');
    const cleared = await receipt(8, A.shopifyClearing);
    const clearing0 = await balance(A.shopifyClearing);
    await s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(cleared, 8)] });
    expect(await balance(A.shopifyClearing)).toBe(clearing0 - 800);
  });

  it('deposits only into a Bank or Other Current Asset account', async () => {
    const r = await receipt(9);
    const fault = await faultOf(s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.salesOfProduct }, Line: [link(r, 9)] }));
    expect(fault.code).toBe('6000');
    expect(fault.element).toBe('DepositToAccountRef');
  });

  it('answers 610 for a linked transaction that does not exist', async () => {
    const fault = await faultOf(
      s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link({ Id: '424242' }, 1)] }),
    );
    expect(fault.code).toBe('610');
  });

  it('keeps a deposited receipt until the deposit is deleted, which frees it again', async () => {
    const r = await receipt(11);
    const deposit = await s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r, 11)] });
    const locked = await faultOf(s.qbo.call('deleteSalesReceipt', { Id: r.Id, SyncToken: r.SyncToken }));
    expect(locked.code).toBe('6000');
    await s.qbo.call('deleteDeposit', { Id: deposit.Id, SyncToken: deposit.SyncToken });
    const again = await s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r, 11)] });
    expect(again.TotalAmt).toBe(11);
  });

  it('refuses a deposit whose total would be negative', async () => {
    const r = await receipt(1);
    const fault = await faultOf(s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r, 1), fee(-2)] }));
    expect(fault.code).toBe('6000');
  });
});
