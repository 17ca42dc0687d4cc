import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_ITEM_IDS as I, DEFAULT_LIST_IDS as L } from '../../../emulators/qbo';
import { cents, faultOf, itemLine, raw, start, type Started } from './helpers';

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

  const refundReceipt = async (amount: number) =>
    s.qbo.call('createRefundReceipt', {
      DepositToAccountRef: { value: A.undepositedFunds },
      Line: [itemLine(I.service, 1, amount, amount, 'NON')],
    });

  it("links each document for its open amount in the clearing account: a refund's negative total, a payment's whole total", async () => {
    const refund = await refundReceipt(10);
    const positive = await faultOf(
      s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(refund, 10, 'RefundReceipt')] }),
    );
    expect(positive.detail).toContain('must equal the RefundReceipt');
    const invoice = await s.qbo.call('createInvoice', {
      CustomerRef: { value: L.shopifyCustomer },
      Line: [itemLine(I.service, 1, 30, 30, 'NON')],
    });
    const payment = await s.qbo.call('createPayment', {
      CustomerRef: { value: L.shopifyCustomer },
      TotalAmt: 35,
      Line: [{ Amount: 30, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
    });
    const partial = await faultOf(
      s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(payment, 30, 'Payment')] }),
    );
    expect(partial.detail).toContain('amount in its clearing account, 35');
    const deposit = await s.qbo.call('createDeposit', {
      DepositToAccountRef: { value: A.checking },
      Line: [link(payment, 35, 'Payment'), link(refund, -10, 'RefundReceipt')],
    });
    expect(deposit.TotalAmt).toBe(25);
  });

  it('refuses a voided document', async () => {
    const r = await receipt(6);
    const voided = await raw(s, 'POST', 'salesreceipt?operation=update&include=void&minorversion=75', {
      Id: r.Id,
      SyncToken: r.SyncToken,
      sparse: true,
    });
    expect(voided.status).toBe(200);
    const fault = await faultOf(s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r, 6)] }));
    expect(fault.detail).toContain('is voided');
  });

  it('refuses a linked line that also carries DetailType or DepositLineDetail, as QBO does', async () => {
    const r = await receipt(5);
    const bare = await faultOf(
      s.qbo.call('createDeposit', {
        DepositToAccountRef: { value: A.checking },
        Line: [{ ...link(r, 5), DetailType: 'DepositLineDetail' }],
      }),
    );
    expect([bare.code, bare.element]).toEqual(['2020', 'Line.DepositLineDetail.AccountRef']);
    const withAccount = await faultOf(
      s.qbo.call('createDeposit', {
        DepositToAccountRef: { value: A.checking },
        Line: [{ ...link(r, 5), DetailType: 'DepositLineDetail', DepositLineDetail: { AccountRef: { value: A.undepositedFunds } } }],
      }),
    );
    expect(withAccount.code).toBe('6000');
    expect(withAccount.detail).toContain('Select a bank account for this deposit');
  });

  it('deposits a document once even when two deposits race for it', async () => {
    const r = await receipt(13);
    s.emu.admin.setFaults([{ match: 'Deposit:create', latencyMs: 150 }]);
    try {
      const body = { DepositToAccountRef: { value: A.checking }, Line: [link(r, 13)] };
      const results = await Promise.allSettled([s.qbo.call('createDeposit', body), s.qbo.call('createDeposit', body)]);
      expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = results.find((x) => x.status === 'rejected') as PromiseRejectedResult;
      expect(JSON.stringify(lost.reason.response?.data ?? lost.reason)).toContain('has already been deposited');
    } finally {
      s.emu.admin.clearFaults();
    }
  });

  it('deletes a deposit but never voids it, and the deleted deposit frees what it linked and leaves the bank', async () => {
    const r = await receipt(21);
    const bank0 = await balance(A.checking);
    const deposit = await s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r, 21)] });
    for (const path of ['deposit?operation=void&minorversion=75', 'deposit?operation=update&include=void&minorversion=75']) {
      const answer = await raw(s, 'POST', path, { Id: deposit.Id, SyncToken: deposit.SyncToken, sparse: true });
      expect([answer.status, answer.body.Fault.Error[0].code, answer.body.Fault.Error[0].Detail]).toEqual([
        400,
        '500',
        'Operation Void is not supported for Deposit.',
      ]);
    }
    expect(await balance(A.checking)).toBe(bank0 + 2100);
    await s.qbo.call('deleteDeposit', { Id: deposit.Id, SyncToken: deposit.SyncToken });
    expect(await balance(A.checking)).toBe(bank0);
    await s.qbo.call('deleteSalesReceipt', { Id: r.Id, SyncToken: r.SyncToken });
  });

  it('frees a document an update of the deposit drops', async () => {
    const [r1, r2] = [await receipt(3), await receipt(4)];
    const deposit = await s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r1, 3), link(r2, 4)] });
    await s.qbo.call('updateDeposit', { ...deposit, Line: [link(r1, 3)] });
    const again = await s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [link(r2, 4)] });
    expect(again.TotalAmt).toBe(4);
  });

  describe('a negative payout: JournalEntry out of the bank, linked from a zero-total deposit (Intuit’s procedure)', () => {
    const journal = (amount: number) =>
      s.qbo.call('createJournalEntry', {
        Line: [
          {
            DetailType: 'JournalEntryLineDetail',
            Amount: amount,
            JournalEntryLineDetail: { PostingType: 'Debit', AccountRef: { value: A.undepositedFunds } },
          },
          {
            DetailType: 'JournalEntryLineDetail',
            Amount: amount,
            JournalEntryLineDetail: { PostingType: 'Credit', AccountRef: { value: A.checking } },
          },
        ],
      });
    const jeLink = (je: any, amount: number, line = '0') => ({
      Amount: amount,
      LinkedTxn: [{ TxnId: je.Id, TxnType: 'JournalEntry', TxnLineId: line }],
    });

    it('moves the bank by the payout and leaves Undeposited Funds and the fees as the payout says', async () => {
      const [uf0, bank0, fees0] = [await balance(A.undepositedFunds), await balance(A.checking), await balance(A.shopifyFees)];
      const sale = await receipt(10);
      const refund = await refundReceipt(50);
      const je = await journal(40.3);
      const deposit = await s.qbo.call('createDeposit', {
        DepositToAccountRef: { value: A.checking },
        Line: [link(sale, 10), link(refund, -50, 'RefundReceipt'), fee(-0.3), jeLink(je, 40.3)],
      });
      expect(deposit.TotalAmt).toBe(0);
      expect(await balance(A.checking)).toBe(bank0 - 4030);
      expect(await balance(A.undepositedFunds)).toBe(uf0);
      expect(await balance(A.shopifyFees)).toBe(fees0 + 30);
    });

    it('links a journal line only for its amount, only once, and only from a clearing account', async () => {
      const je = await journal(7);
      const wrongAmount = await faultOf(s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [jeLink(je, 6)] }));
      expect(wrongAmount.detail).toContain('must equal the JournalEntry');
      const noLine = await faultOf(s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [jeLink(je, 7, '9')] }));
      expect(noLine.element).toBe('Line.LinkedTxn.TxnLineId');
      const bankLine = await faultOf(
        s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [jeLink(je, -7, '1')] }),
      );
      expect(bankLine.detail).toContain('not in Undeposited Funds or a clearing account');
      const deposit = await s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [jeLink(je, 7)] });
      const twice = await faultOf(s.qbo.call('createDeposit', { DepositToAccountRef: { value: A.checking }, Line: [jeLink(je, 7)] }));
      expect(twice.detail).toContain('has already been deposited');
      const moved = await faultOf(
        s.qbo.call('updateJournalEntry', {
          ...je,
          Line: je.Line.map((l: any) => ({ ...l, Amount: 8 })),
        }),
      );
      expect(moved.detail).toContain(`part of Deposit ${deposit.Id}`);
      const held = await faultOf(s.qbo.call('deleteJournalEntry', { Id: je.Id, SyncToken: je.SyncToken }));
      expect(held.detail).toContain(`part of Deposit ${deposit.Id}`);
      await s.qbo.call('deleteDeposit', { Id: deposit.Id, SyncToken: deposit.SyncToken });
      await s.qbo.call('deleteJournalEntry', { Id: je.Id, SyncToken: je.SyncToken });
    });
  });
});
