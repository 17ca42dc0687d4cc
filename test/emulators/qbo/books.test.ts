import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_ITEM_IDS as I, DEFAULT_LIST_IDS as L } from '../../../emulators/qbo';
import { cents, itemLine, start, type Started } from './helpers';

interface TrialBalance {
  rows: Map<string, { debit: number; credit: number }>;
  debits: number;
  credits: number;
  totalRow: { debit: number; credit: number };
}

const money = (value: string): number => (value === '' ? 0 : cents(value));

function readTrialBalance(report: any): TrialBalance {
  const rows = new Map<string, { debit: number; credit: number }>();
  let totalRow = { debit: NaN, credit: NaN };
  for (const row of report.Rows.Row) {
    if (row.group === 'GrandTotal') totalRow = { debit: money(row.Summary.ColData[1].value), credit: money(row.Summary.ColData[2].value) };
    else rows.set(row.ColData[0].id, { debit: money(row.ColData[1].value), credit: money(row.ColData[2].value) });
  }
  const sum = (k: 'debit' | 'credit'): number => [...rows.values()].reduce((s, r) => s + r[k], 0);
  return { rows, debits: sum('debit'), credits: sum('credit'), totalRow };
}

describe('QBO emulator: the books balance (double entry, TrialBalance, ProfitAndLoss)', () => {
  let s: Started;
  const date = '2026-11-02';
  const nyc = { ShipAddr: { CountrySubDivisionCode: 'NY', PostalCode: '10001' } };
  const period = { start_date: '2026-11-01', end_date: '2026-11-30' };

  beforeAll(async () => {
    s = await start();
    const { qbo } = s;
    const receipt = await qbo.call('createSalesReceipt', {
      TxnDate: date,
      ...nyc,
      Line: [
        itemLine(I.tee, 2, 20, 40, 'TAX'),
        itemLine(I.shipping, 1, 5, 5, 'NON'),
        {
          DetailType: 'DiscountLineDetail',
          Amount: 4,
          DiscountLineDetail: { PercentBased: false, DiscountAccountRef: { value: A.discountsGiven } },
        },
      ],
    });
    await qbo.call('createSalesReceipt', {
      TxnDate: date,
      DepositToAccountRef: { value: A.shopifyClearing },
      Line: [itemLine(I.giftCard, 1, 25, 25, 'NON')],
    });
    const invoice = await qbo.call('createInvoice', {
      TxnDate: date,
      CustomerRef: { value: L.shopifyCustomer },
      Line: [itemLine(I.service, 4, 5, 20, 'NON')],
    });
    const payment = await qbo.call('createPayment', {
      TxnDate: date,
      CustomerRef: { value: L.shopifyCustomer },
      TotalAmt: 20,
      Line: [{ Amount: 20, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
    });
    const refund = await qbo.call('createRefundReceipt', {
      TxnDate: date,
      ...nyc,
      DepositToAccountRef: { value: A.undepositedFunds },
      Line: [itemLine(I.tee, 1, 20, 20, 'TAX')],
    });
    await qbo.call('createDeposit', {
      TxnDate: '2026-11-03',
      DepositToAccountRef: { value: A.checking },
      Line: [
        { Amount: receipt.TotalAmt, LinkedTxn: [{ TxnId: receipt.Id, TxnType: 'SalesReceipt', TxnLineId: '0' }] },
        { Amount: 20, LinkedTxn: [{ TxnId: payment.Id, TxnType: 'Payment', TxnLineId: '0' }] },
        { Amount: -refund.TotalAmt, LinkedTxn: [{ TxnId: refund.Id, TxnType: 'RefundReceipt', TxnLineId: '0' }] },
        { Amount: -1.5, DetailType: 'DepositLineDetail', DepositLineDetail: { AccountRef: { value: A.shopifyFees } } },
      ],
    });
    await qbo.call('createPurchase', {
      TxnDate: date,
      PaymentType: 'CreditCard',
      AccountRef: { value: A.creditCard },
      EntityRef: { value: L.shopifyVendor, type: 'Vendor' },
      Line: [
        {
          Amount: 29,
          DetailType: 'AccountBasedExpenseLineDetail',
          AccountBasedExpenseLineDetail: { AccountRef: { value: A.shopifyFees } },
        },
      ],
    });
    await qbo.call('createBill', {
      TxnDate: date,
      VendorRef: { value: L.shopifyVendor },
      Line: [
        {
          Amount: 15,
          DetailType: 'AccountBasedExpenseLineDetail',
          AccountBasedExpenseLineDetail: { AccountRef: { value: A.chargebacks } },
        },
      ],
    });
    await qbo.call('createJournalEntry', {
      TxnDate: date,
      Line: [
        {
          Amount: 10,
          DetailType: 'JournalEntryLineDetail',
          JournalEntryLineDetail: { PostingType: 'Debit', AccountRef: { value: A.shopifyReserve } },
        },
        {
          Amount: 10,
          DetailType: 'JournalEntryLineDetail',
          JournalEntryLineDetail: { PostingType: 'Credit', AccountRef: { value: A.shopifyClearing } },
        },
      ],
    });
  });
  afterAll(() => s.emu.close());

  it('reports a trial balance whose debits equal its credits after receipts, an invoice and payment, a refund, a deposit and expenses', async () => {
    const tb = readTrialBalance(await s.qbo.call('reportTrialBalance', period));
    expect(tb.debits).toBe(tb.credits);
    expect(tb.totalRow).toEqual({ debit: tb.debits, credit: tb.credits });
    expect(tb.rows.get(A.checking)).toEqual({ debit: 4127, credit: 0 });
    expect(tb.rows.has(A.undepositedFunds)).toBe(false);
    expect(tb.rows.has(A.accountsReceivable)).toBe(false);
    expect(tb.rows.get(A.giftCardLiability)).toEqual({ debit: 0, credit: 2500 });
    expect(tb.rows.get(A.shopifyClearing)).toEqual({ debit: 1500, credit: 0 });
    expect(tb.rows.get(A.taxPayable)).toEqual({ debit: 0, credit: 355 - 178 });
    expect(tb.rows.get(A.inventoryAsset)).toEqual({ debit: 800 * 100 - 800, credit: 0 });
  });

  it('keeps each Account.CurrentBalance equal to its trial balance row', async () => {
    const tb = readTrialBalance(await s.qbo.call('reportTrialBalance', period));
    for (const id of [A.checking, A.creditCard, A.accountsPayable, A.salesOfProduct, A.costOfGoodsSold]) {
      const account = await s.qbo.call('getAccount', id);
      const row = tb.rows.get(id) ?? { debit: 0, credit: 0 };
      expect(cents(account.CurrentBalance)).toBe(Math.abs(row.debit - row.credit));
    }
  });

  it('reports profit and loss for the period in sections', async () => {
    const pnl = await s.qbo.call('reportProfitAndLoss', period);
    const summary = (group: string): number => money(pnl.Rows.Row.find((r: any) => r.group === group).Summary.ColData[1].value);
    expect(summary('Income')).toBe(4100);
    expect(summary('COGS')).toBe(800);
    expect(summary('GrossProfit')).toBe(3300);
    expect(summary('Expenses')).toBe(4550);
    expect(summary('NetIncome')).toBe(-1250);
    expect(pnl.Header).toMatchObject({ ReportName: 'ProfitAndLoss', StartPeriod: '2026-11-01', EndPeriod: '2026-11-30', Currency: 'USD' });
  });

  it('reverses the postings of a deleted document and leaves later-dated ones out of the period', async () => {
    const before = readTrialBalance(await s.qbo.call('reportTrialBalance', period));
    const late = await s.qbo.call('createPurchase', {
      TxnDate: '2026-12-05',
      PaymentType: 'Cash',
      AccountRef: { value: A.checking },
      Line: [
        { Amount: 7, DetailType: 'AccountBasedExpenseLineDetail', AccountBasedExpenseLineDetail: { AccountRef: { value: A.shopifyFees } } },
      ],
    });
    expect(readTrialBalance(await s.qbo.call('reportTrialBalance', period))).toEqual(before);
    expect(cents((await s.qbo.call('getAccount', A.checking)).CurrentBalance)).toBe(4127 - 700);
    await s.qbo.call('deletePurchase', { Id: late.Id, SyncToken: late.SyncToken });
    expect(cents((await s.qbo.call('getAccount', A.checking)).CurrentBalance)).toBe(4127);
    const december = readTrialBalance(await s.qbo.call('reportTrialBalance', { start_date: '2026-12-01', end_date: '2026-12-31' }));
    expect(december.debits).toBe(december.credits);
    expect(december.rows.get(A.checking)).toEqual({ debit: 4127, credit: 0 });
  });
});
