/**
 * The domain's payout plans (domain/payouts buildDeposit) posted to the QBO emulator over HTTP with
 * node-quickbooks, as the payout saga will post them, and read back: QBO accepts the Deposit's shape (linked lines
 * with LinkedTxn only, direct lines, the JournalEntry of a negative payout) and the books come out as invariant 4
 * says: the bank moves by the payout's net, the fees by Σ fees, Undeposited Funds by nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_ITEM_IDS as I, DEFAULT_LIST_IDS as L } from '../../../emulators/qbo';
import {
  buildDeposit,
  checkDepositReadBack,
  checkJournalReadBack,
  journalDebitLineId,
  linkJournalEntry,
  payoutRequestId,
  type BalanceTransaction,
  type BuildDepositInput,
  type DepositPlan,
  type DocumentLookup,
} from '../../../domain/payouts';
import { parseSettings, type Settings } from '../../../domain/settings';
import { payoutOf, tx, usd } from '../../domain/payout-fixtures';
import { cents, faultOf, itemLine, start, type Started } from './helpers';

describe('payout plans posted to the QBO emulator', () => {
  let s: Started;
  let settings: Settings;
  beforeAll(async () => {
    s = await start();
    const adjustments = await s.qbo.call('createAccount', {
      Name: 'Shopify Adjustments',
      AccountType: 'Expense',
      AccountSubType: 'OtherMiscellaneousServiceCost',
    });
    settings = parseSettings({
      taxMode: 'us_automated',
      accounts: {
        undepositedFunds: A.undepositedFunds,
        productIncome: A.salesOfProduct,
        shippingIncome: A.shippingIncome,
        discounts: A.discountsGiven,
        giftCardLiability: A.giftCardLiability,
        tips: A.tipsPayable,
        duties: A.dutiesPayable,
        fees: A.shopifyFees,
      },
      payouts: {
        enabled: true,
        bankAccountId: A.checking,
        clearingAccountId: A.shopifyClearing,
        feeVendorId: L.shopifyVendor,
        disputesAccountId: A.chargebacks,
        reserveAccountId: A.shopifyReserve,
        adjustmentsAccountId: adjustments.Id,
      },
    });
  });
  afterAll(() => s.emu.close());

  const balance = async (accountId: string): Promise<number> => cents((await s.qbo.call('getAccount', accountId)).CurrentBalance);
  const balances = async () => ({
    bank: await balance(A.checking),
    uf: await balance(A.undepositedFunds),
    fees: await balance(A.shopifyFees),
    clearing: await balance(A.shopifyClearing),
  });
  const salesReceipt = async (amountCents: number) =>
    s.qbo.call('createSalesReceipt', {
      DepositToAccountRef: { value: A.undepositedFunds },
      Line: [itemLine(I.service, 1, amountCents / 100, amountCents / 100, 'NON')],
    });
  const refundReceipt = async (amountCents: number) =>
    s.qbo.call('createRefundReceipt', {
      DepositToAccountRef: { value: A.undepositedFunds },
      Line: [itemLine(I.service, 1, amountCents / 100, amountCents / 100, 'NON')],
    });

  /** Books each charge and refund in the emulator as the sales sync would, and returns the lookups. */
  async function book(rows: BalanceTransaction[]): Promise<Record<string, DocumentLookup>> {
    const out: Record<string, DocumentLookup> = {};
    for (const r of rows) {
      if (r.type !== 'CHARGE' && r.type !== 'REFUND') continue;
      const refund = r.type === 'REFUND';
      const doc = refund ? await refundReceipt(-r.amount.minor) : await salesReceipt(r.amount.minor);
      out[r.sourceOrderTransactionId!] = {
        status: 'booked',
        document: {
          txnType: refund ? 'RefundReceipt' : 'SalesReceipt',
          txnId: doc.Id,
          amount: r.amount,
          clearingAccountId: A.undepositedFunds,
        },
      };
    }
    return out;
  }

  let nextPayout = 9100;
  /** Each payout its own id: QBO keeps a Deposit's DocNumber (SP<id>) unique. */
  const own = () => {
    const n = nextPayout++;
    return { id: `gid://shopify/ShopifyPaymentsPayout/${n}`, legacyResourceId: String(n) };
  };

  function planFor(i: BuildDepositInput): DepositPlan {
    const result = buildDeposit(i);
    if (!result.ok) throw new Error(result.reason);
    return result.plan;
  }

  it('posts a payout with sales, a refund, fees, a chargeback, a reserve and an unknown type; the bank gets the net', async () => {
    const rows = [
      tx('CHARGE', 4_530, 161),
      tx('CHARGE', 12_000, 378),
      tx('REFUND', -2_000),
      tx('ADJUSTMENT', -4_530, 1_500, { sourceType: 'DISPUTE' }),
      tx('RESERVED_FUNDS', -1_000),
      tx('SOMETHING_NEW', 250),
    ];
    const payout = payoutOf(rows, own());
    const before = await balances();
    const plan = planFor({ payout, transactions: rows, documents: await book(rows), settings, timeZone: 'UTC' });
    const deposit = await s.qbo.call('createDeposit', { ...plan.deposit, requestId: payoutRequestId(payout.id, 'deposit', plan.deposit) });
    expect(checkDepositReadBack(deposit, payout, plan)).toEqual({ ok: true, total: payout.net });
    expect(checkDepositReadBack(await s.qbo.call('getDeposit', deposit.Id), payout, plan).ok).toBe(true);
    const after = await balances();
    expect(after.bank - before.bank).toBe(payout.net.minor);
    expect(after.fees - before.fees).toBe(161 + 378 + 1_500);
    expect(after.uf - before.uf).toBe(4_530 + 12_000 - 2_000 - (4_530 + 12_000 - 2_000));
    expect(plan.report.flags.map((f) => f.code)).toEqual(['unknown_type']);
  });

  it('answers a retried write with the first Deposit, and refuses a second Deposit of the same documents', async () => {
    const rows = [tx('CHARGE', 3_000, 90)];
    const payout = payoutOf(rows, own());
    const plan = planFor({ payout, transactions: rows, documents: await book(rows), settings, timeZone: 'UTC' });
    const requestId = payoutRequestId(payout.id, 'deposit', plan.deposit);
    const first = await s.qbo.call('createDeposit', { ...plan.deposit, requestId });
    const retried = await s.qbo.call('createDeposit', { ...plan.deposit, requestId });
    expect(retried.Id).toBe(first.Id);
    const again = await faultOf(s.qbo.call('createDeposit', { ...plan.deposit, DocNumber: undefined }));
    expect(again.detail).toContain('has already been deposited');
  });

  it('posts a negative payout as a JournalEntry out of the bank and a zero Deposit that links it', async () => {
    const rows = [tx('REFUND', -5_000), tx('CHARGE', 1_000, 30)];
    const payout = payoutOf(rows, { ...own(), transactionType: 'WITHDRAWAL', net: usd(4_030) });
    const before = await balances();
    const plan = planFor({ payout, transactions: rows, documents: await book(rows), settings, timeZone: 'UTC' });
    expect(plan.kind).toBe('journal_and_zero_deposit');
    const journal = await s.qbo.call('createJournalEntry', { ...plan.journalEntry });
    expect(checkJournalReadBack(journal, payout, plan).ok).toBe(true);
    const deposit = await s.qbo.call('createDeposit', linkJournalEntry(plan.deposit, journal.Id, journalDebitLineId(journal) ?? 'none'));
    expect(checkDepositReadBack(deposit, payout, plan, journal.Id)).toEqual({ ok: true, total: usd(0) });
    const after = await balances();
    expect(after.bank - before.bank).toBe(-4_030);
    expect(after.uf - before.uf).toBe(0);
    expect(after.fees - before.fees).toBe(30);
  });

  it('posts a capture it cannot link to the Shopify clearing account and leaves its receipt undeposited', async () => {
    const capture = tx('CHARGE', 6_000, 180);
    const receipt = await salesReceipt(10_000);
    const before = await balances();
    const plan = planFor({
      payout: payoutOf([capture], own()),
      transactions: [capture],
      documents: {
        [capture.sourceOrderTransactionId!]: {
          status: 'booked',
          document: { txnType: 'SalesReceipt', txnId: receipt.Id, amount: usd(10_000), clearingAccountId: A.undepositedFunds },
        },
      },
      settings,
      timeZone: 'UTC',
    });
    await s.qbo.call('createDeposit', plan.deposit);
    const after = await balances();
    expect(after.bank - before.bank).toBe(5_820);
    expect(after.clearing - before.clearing).toBe(-6_000);
    expect(after.uf - before.uf).toBe(0);
    expect(plan.report.clearing).toEqual([
      { accountId: A.shopifyClearing, change: usd(-6_000) },
      { accountId: A.undepositedFunds, change: usd(10_000) },
    ]);
  });
});
