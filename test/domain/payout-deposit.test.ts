/**
 * One payout → one Deposit (domain/payouts deposit.ts; docs/payouts.md "The Deposit"), table by table: every
 * kind of balance transaction, linked charges and refunds (split captures, multi-gateway orders, refunds after
 * the payout), what cannot be linked, fees, negative and zero payouts, retried payouts, and the read-back.
 */
import { describe, expect, it } from 'vitest';
import {
  buildDeposit,
  checkDepositReadBack,
  checkJournalReadBack,
  JOURNAL_ENTRY_PENDING,
  linkJournalEntry,
  payoutDocNumber,
  payoutRequestId,
  type BalanceTransaction,
  type DepositPlan,
  type QboDepositDetailLine,
} from '../../domain/payouts';
import { parseSettings } from '../../domain/settings';
import { ACCOUNTS } from './fixtures/scenarios';
import {
  A,
  booked,
  document,
  input,
  lineTotal,
  PAYOUT_ACCOUNTS,
  PAYOUT_GID,
  payout,
  payoutOf,
  plan,
  SETTINGS,
  tx,
  usd,
} from './payout-fixtures';

const detail = (p: DepositPlan, index: number): QboDepositDetailLine => p.deposit.Line[index] as QboDepositDetailLine;
const flagCodes = (p: DepositPlan): string[] => p.report.flags.map((f) => f.code);

describe('every kind of balance transaction', () => {
  // [type, sourceType, amount, fee, account, vendor on the line, flag]
  const TABLE: [string, string, number, number, string, boolean, string | null][] = [
    ['DISPUTE_WITHDRAWAL', 'DISPUTE', -7_500, 0, A.disputes, false, null],
    ['DISPUTE_REVERSAL', 'DISPUTE', 7_500, 0, A.disputes, false, null],
    ['ADJUSTMENT', 'DISPUTE', -7_500, 1_500, A.disputes, false, null],
    ['CHARGEBACK_HOLD', 'DISPUTE', -7_500, 0, A.disputes, false, null],
    ['CHARGEBACK_FEE', 'DISPUTE', -1_500, 0, A.fees, true, null],
    ['CHARGEBACK_FEE_REFUND', 'DISPUTE', 1_500, 0, A.fees, true, null],
    ['RESERVED_FUNDS', 'ADJUSTMENT', -1_000, 0, A.reserve, false, null],
    ['RESERVED_FUNDS_REVERSAL', 'ADJUSTMENT', 1_000, 0, A.reserve, false, null],
    ['RISK_WITHDRAWAL', 'ADJUSTMENT', -1_000, 0, A.reserve, false, null],
    ['ADVANCE', 'ADJUSTMENT', 50_000, 0, A.capital, false, null],
    ['LENDING_CREDIT_REMITTANCE', 'ADJUSTMENT', -2_000, 0, A.capital, false, null],
    ['SHIPPING_LABEL', 'ADJUSTMENT', -845, 0, A.shippingLabels, true, null],
    ['BILLING_DEBIT', 'ADJUSTMENT', -2_900, 0, A.billing, true, null],
    ['CUSTOMS_DUTY', 'ADJUSTMENT', -1_234, 0, A.duties, false, null],
    ['ADJUSTMENT', 'ADJUSTMENT', -100, 0, A.adjustments, false, null],
    ['MERCHANT_GOODWILL_CREDIT', 'ADJUSTMENT', 500, 0, A.adjustments, false, null],
    ['CHARGE_ADJUSTMENT', 'ADJUSTMENT', -50, 0, A.adjustments, false, 'sale_adjustment'],
    ['REFUND_FAILURE', 'REFUND', 2_000, 0, A.adjustments, false, 'sale_adjustment'],
    ['TRANSFER_FAILURE', 'TRANSFER', 5_000, 0, A.clearing, false, 'retried_payout'],
    ['HOVERBOARD_RENTAL', 'SYSTEM_ADJUSTMENT', -300, 0, A.adjustments, false, 'unknown_type'],
  ];

  it.each(TABLE)('books %s (source %s) at its gross amount to its account', (type, sourceType, amount, fee, account, vendor, flag) => {
    const rows = [tx('CHARGE', 10_000, 320), tx(type, amount, fee, { sourceType })];
    const p = plan(input(rows));
    expect(lineTotal(p)).toBe(10_000 - 320 + amount - fee);
    const line = p.deposit.Line.find(
      (l) => 'DepositLineDetail' in l && l.DepositLineDetail.AccountRef.value === account && l.Amount === amount / 100,
    );
    expect(line, `a ${amount / 100} line to ${account}`).toBeDefined();
    expect((line as QboDepositDetailLine).DepositLineDetail.Entity).toEqual(vendor ? { value: A.vendor, type: 'Vendor' } : undefined);
    expect((line as QboDepositDetailLine).Description).toContain(type);
    expect(flagCodes(p)).toEqual(flag ? [flag] : []);
    expect(p.report.needsAttention).toBe(flag !== null);
    expect(p.report.rows.find((r) => r.transactionId === rows[1]!.id)).toMatchObject({ outcome: 'line', accountId: account });
    expect(p.report.fees).toEqual(usd(320 + fee));
    expect(p.report.feesBooked).toEqual(p.report.fees);
  });

  it('writes no line for a row that only carries a fee, and books that fee', () => {
    const rows = [tx('CHARGE', 10_000, 300), tx('ADJUSTMENT', 0, 25)];
    const p = plan(input(rows));
    expect(p.deposit.Line).toHaveLength(2);
    expect(p.report.rows[1]).toMatchObject({ outcome: 'fee_only', lineIndex: null });
    expect(detail(p, 1).Amount).toBe(-3.25);
  });

  it('leaves the payout’s own TRANSFER row out of the Deposit and reports it as the transfer', () => {
    const rows = [tx('CHARGE', 10_000, 300)];
    const transfer = tx('TRANSFER', -9_700, 0, { sourceType: 'TRANSFER' });
    const p = plan(input([...rows, transfer], { payout: payoutOf(rows) }));
    expect(p.deposit.Line).toHaveLength(2);
    expect(p.report.rows.find((r) => r.transactionId === transfer.id)).toMatchObject({ outcome: 'transfer', lineIndex: null });
  });
});

describe('linking charges and refunds', () => {
  it('links each charge and refund to the document holding its money, LinkedTxn only, and clears the clearing account to zero', () => {
    const rows = [tx('CHARGE', 4_530, 161), tx('CHARGE', 12_000, 378), tx('REFUND', -2_000)];
    const p = plan(input(rows));
    expect(p.deposit.Line.slice(0, 3)).toEqual([
      { Amount: 45.3, LinkedTxn: [{ TxnId: `q${rows[0]!.sourceOrderTransactionId}`, TxnType: 'SalesReceipt', TxnLineId: '0' }] },
      { Amount: 120, LinkedTxn: [{ TxnId: `q${rows[1]!.sourceOrderTransactionId}`, TxnType: 'SalesReceipt', TxnLineId: '0' }] },
      { Amount: -20, LinkedTxn: [{ TxnId: `q${rows[2]!.sourceOrderTransactionId}`, TxnType: 'RefundReceipt', TxnLineId: '0' }] },
    ]);
    expect(p.deposit.Line[3]).toEqual({
      Amount: -5.39,
      DetailType: 'DepositLineDetail',
      Description: 'Shopify Payments fees (2 transactions)',
      DepositLineDetail: { AccountRef: { value: A.fees }, Entity: { value: A.vendor, type: 'Vendor' } },
    });
    expect(lineTotal(p)).toBe(4_530 + 12_000 - 2_000 - 539);
    expect(p.report.clearing).toEqual([{ accountId: A.undepositedFunds, change: usd(0) }]);
    expect(p.report.clearingBalanced).toBe(true);
    expect(p.report.needsAttention).toBe(false);
    expect(p.report.rows.map((r) => [r.outcome, r.lineIndex])).toEqual([
      ['linked', 0],
      ['linked', 1],
      ['linked', 2],
    ]);
  });

  it('links a refund made after its sale’s payout to its RefundReceipt alone, in the payout that carries it', () => {
    const refund = tx('REFUND', -3_300);
    const p = plan(
      input([refund], { documents: { [refund.sourceOrderTransactionId!]: booked(document('RefundReceipt', '402', -3_300)) } }),
    );
    expect(p.kind).toBe('journal_and_zero_deposit');
    expect(p.deposit.Line[0]).toEqual({ Amount: -33, LinkedTxn: [{ TxnId: '402', TxnType: 'RefundReceipt', TxnLineId: '0' }] });
  });

  it('links a split capture booked as one Payment per capture, each to its own Payment', () => {
    const first = tx('CHARGE', 6_000, 200, { associatedOrder: { id: 'gid://shopify/Order/1', name: '#1001' } });
    const second = tx('CHARGE', 4_000, 130, { associatedOrder: { id: 'gid://shopify/Order/1', name: '#1001' } });
    const documents = {
      [first.sourceOrderTransactionId!]: booked(document('Payment', '311', 6_000)),
      [second.sourceOrderTransactionId!]: booked(document('Payment', '312', 4_000)),
    };
    const p = plan(input([first, second], { documents }));
    expect(
      p.deposit.Line.slice(0, 2).map((l) => ('LinkedTxn' in l ? [l.Amount, l.LinkedTxn[0].TxnType, l.LinkedTxn[0].TxnId] : null)),
    ).toEqual([
      [60, 'Payment', '311'],
      [40, 'Payment', '312'],
    ]);
    expect(p.report.needsAttention).toBe(false);
  });

  it('links both captures of one SalesReceipt with one line when this payout carries the whole receipt', () => {
    const first = tx('CHARGE', 6_000, 200);
    const second = tx('CHARGE', 4_000, 130);
    const receipt = booked(document('SalesReceipt', '201', 10_000));
    const p = plan(
      input([first, second], { documents: { [first.sourceOrderTransactionId!]: receipt, [second.sourceOrderTransactionId!]: receipt } }),
    );
    expect(p.deposit.Line[0]).toEqual({ Amount: 100, LinkedTxn: [{ TxnId: '201', TxnType: 'SalesReceipt', TxnLineId: '0' }] });
    expect(p.report.lines[0]!.transactionIds).toEqual([first.id, second.id]);
    expect(p.report.clearingBalanced).toBe(true);
  });

  it('puts one capture of a SalesReceipt holding two on the clearing line, flags it, and shows the receipt still in Undeposited Funds', () => {
    const capture = tx('CHARGE', 6_000, 200, { associatedOrder: { id: 'gid://shopify/Order/1', name: '#1001' } });
    const p = plan(
      input([capture], {
        documents: { [capture.sourceOrderTransactionId!]: booked(document('SalesReceipt', '201', 10_000, { docNumber: 'SH-1001' })) },
      }),
    );
    expect(detail(p, 0)).toMatchObject({ Amount: 60, DepositLineDetail: { AccountRef: { value: A.clearing } } });
    expect(detail(p, 0).Description).toContain('SalesReceipt SH-1001 holds 100.00 in its clearing account, this charge 60.00');
    expect(flagCodes(p)).toEqual(['amount_mismatch']);
    expect(p.report.rows[0]).toMatchObject({ outcome: 'clearing', document: { txnType: 'SalesReceipt', txnId: '201' } });
    expect(p.report.clearing).toEqual([
      { accountId: A.clearing, change: usd(-6_000) },
      { accountId: A.undepositedFunds, change: usd(10_000) },
    ]);
    expect(p.report.clearingBalanced).toBe(false);
    expect(lineTotal(p)).toBe(5_800);
  });

  it('links the Shopify Payments part of an order also paid by gift card: its receipt holds only that money', () => {
    const charge = tx('CHARGE', 3_500, 120);
    const p = plan(input([charge], { documents: { [charge.sourceOrderTransactionId!]: booked(document('SalesReceipt', '205', 3_500)) } }));
    expect(p.deposit.Line[0]).toEqual({ Amount: 35, LinkedTxn: [{ TxnId: '205', TxnType: 'SalesReceipt', TxnLineId: '0' }] });
  });

  it('puts a multi-gateway order that could not be booked on the clearing line with its order’s reason', () => {
    const charge = tx('CHARGE', 3_500, 120, { associatedOrder: { id: 'gid://shopify/Order/7', name: '#1007' } });
    const reason = 'Order #1007 is parked: Order #1007 was paid through several gateways; one QBO document has one deposit account';
    const p = plan(
      input([charge], { documents: { [charge.sourceOrderTransactionId!]: { status: 'missing', code: 'order_parked', reason } } }),
    );
    expect(detail(p, 0)).toMatchObject({ Amount: 35, DepositLineDetail: { AccountRef: { value: A.clearing } } });
    expect(p.report.flags).toEqual([
      { transactionId: charge.id, code: 'order_parked', reason: `CHARGE #1007 [${charge.id.split('/').pop()}]: ${reason}` },
    ]);
    expect(p.report.clearing).toEqual([{ accountId: A.clearing, change: usd(-3_500) }]);
  });

  it.each([
    ['already in another Deposit', { depositedIn: '999' }, 'already_deposited'],
    ['deposited straight to the bank', { clearingAccountId: A.bank }, 'document_in_bank'],
  ])('does not link a document %s', (_title, over, code) => {
    const charge = tx('CHARGE', 2_000, 60);
    const p = plan(
      input([charge], { documents: { [charge.sourceOrderTransactionId!]: booked(document('SalesReceipt', '7', 2_000, over)) } }),
    );
    expect(detail(p, 0).DepositLineDetail.AccountRef.value).toBe(A.clearing);
    expect(flagCodes(p)).toEqual([code]);
    expect(p.report.clearing).toEqual([{ accountId: A.clearing, change: usd(-2_000) }]);
  });

  it('puts a charge naming no order transaction on the clearing line', () => {
    const charge = tx('CHARGE', 2_000, 60, { sourceOrderTransactionId: null });
    expect(flagCodes(plan(input([charge])))).toEqual(['no_order_transaction']);
  });
});

describe('the Deposit header, fees and mapping', () => {
  it('numbers the Deposit SP<payout id>, dates it on the payout’s day in the shop’s zone and marks the payout in PrivateNote', () => {
    const rows = [tx('CHARGE', 1_000, 30)];
    const p = plan(
      input(rows, {
        payout: payoutOf(rows, { issuedAt: '2026-11-03T02:00:00Z', externalTraceId: 'T-0420' }),
        timeZone: 'America/Los_Angeles',
      }),
    );
    expect(p.deposit).toMatchObject({
      DocNumber: 'SP9001',
      TxnDate: '2026-11-02',
      DepositToAccountRef: { value: A.bank },
      PrivateNote: `Shopify payout 9001 [${PAYOUT_GID}] trace T-0420 - booked by Ledgerline`,
    });
    expect(p.kind).toBe('deposit');
    expect(p.journalEntry).toBeNull();
  });

  it('keeps DocNumber within QBO’s 21 characters for the longest payout ids', () => {
    expect(payoutDocNumber('9223372036854775807')).toBe('SP9223372036854775807');
    expect(payoutDocNumber('9223372036854775807').length).toBe(21);
    const long = payoutDocNumber('12345678901234567890123');
    expect(long.length).toBe(21);
    expect(long).not.toBe(payoutDocNumber('92345678901234567890123'));
  });

  it('makes one requestid per body and role, within QBO’s 50 characters', () => {
    const id = payoutRequestId(PAYOUT_GID, 'deposit', { a: 1 });
    expect(id).toHaveLength(36);
    expect(payoutRequestId(PAYOUT_GID, 'deposit', { a: 1 })).toBe(id);
    expect(payoutRequestId(PAYOUT_GID, 'journal', { a: 1 })).not.toBe(id);
    expect(payoutRequestId(PAYOUT_GID, 'deposit', { a: 1 }, 2)).not.toBe(id);
  });

  it('carries the store’s class on every line and its location on the Deposit', () => {
    const settings = parseSettings({
      taxMode: 'us_automated',
      accounts: ACCOUNTS,
      classId: '300',
      departmentId: '2',
      payouts: PAYOUT_ACCOUNTS,
    });
    const p = plan(input([tx('CHARGE', 1_000, 30)], { settings }));
    expect(p.deposit.DepartmentRef).toEqual({ value: '2' });
    expect(detail(p, 1).DepositLineDetail.ClassRef).toEqual({ value: '300' });
  });

  it('books a fee refund as a positive fee line and writes no fee line when there are no fees', () => {
    expect(detail(plan(input([tx('CHARGE', 1_000, 30), tx('ADJUSTMENT', 0, -50)])), 1).Amount).toBe(0.2);
    expect(plan(input([tx('CHARGE', 1_000, 0)])).deposit.Line).toHaveLength(1);
  });

  it('holds a payout needs_mapping when the bank, or an account a line needs, is not set', () => {
    const settings = parseSettings({ taxMode: 'us_automated', accounts: ACCOUNTS });
    expect(buildDeposit(input([tx('CHARGE', 1_000)], { settings }))).toMatchObject({
      ok: false,
      code: 'needs_mapping',
      missing: ['payouts.bankAccountId'],
    });
    const noReserve = parseSettings({
      taxMode: 'us_automated',
      accounts: ACCOUNTS,
      payouts: { ...PAYOUT_ACCOUNTS, reserveAccountId: undefined },
    });
    expect(buildDeposit(input([tx('CHARGE', 1_000), tx('RESERVED_FUNDS', -100)], { settings: noReserve }))).toMatchObject({
      ok: false,
      code: 'needs_mapping',
      missing: ['payouts.reserveAccountId'],
    });
  });

  it('sends disputes, labels and bills to the adjustments account when they have none of their own', () => {
    const settings = parseSettings({
      taxMode: 'us_automated',
      accounts: ACCOUNTS,
      payouts: { enabled: true, bankAccountId: A.bank, adjustmentsAccountId: A.adjustments },
    });
    const p = plan(
      input([tx('CHARGE', 10_000), tx('DISPUTE_WITHDRAWAL', -500), tx('SHIPPING_LABEL', -300), tx('BILLING_DEBIT', -200)], { settings }),
    );
    expect(p.deposit.Line.slice(1).map((l) => (l as QboDepositDetailLine).DepositLineDetail.AccountRef.value)).toEqual([
      A.adjustments,
      A.adjustments,
      A.adjustments,
    ]);
  });

  it('refuses to build a Deposit the rows do not add up to', () => {
    const rows = [tx('CHARGE', 1_000, 30)];
    expect(buildDeposit(input(rows, { payout: payout(1_000) }))).toMatchObject({ ok: false, code: 'arithmetic_mismatch' });
  });
});

describe('negative and zero payouts (docs/payouts.md)', () => {
  it('moves a negative payout out of the bank with a JournalEntry and links it from a zero-total Deposit', () => {
    const rows = [tx('REFUND', -5_000), tx('CHARGE', 1_000, 30)];
    const p = plan(input(rows, { payout: payoutOf(rows, { transactionType: 'WITHDRAWAL', net: usd(4_030) }) }));
    expect(p.kind).toBe('journal_and_zero_deposit');
    expect(p.journalEntry).toEqual({
      DocNumber: 'SP9001',
      TxnDate: '2026-11-03',
      PrivateNote: `Shopify payout 9001 [${PAYOUT_GID}] - booked by Ledgerline. Negative payout: the Deposit with the same number links this entry`,
      Line: [
        {
          DetailType: 'JournalEntryLineDetail',
          Amount: 40.3,
          Description: 'Shopify payout 9001: 40.30 USD taken from the bank',
          JournalEntryLineDetail: { PostingType: 'Debit', AccountRef: { value: A.undepositedFunds } },
        },
        {
          DetailType: 'JournalEntryLineDetail',
          Amount: 40.3,
          Description: 'Shopify payout 9001: 40.30 USD taken from the bank',
          JournalEntryLineDetail: { PostingType: 'Credit', AccountRef: { value: A.bank } },
        },
      ],
    });
    expect(p.deposit.Line.at(-1)).toEqual({
      Amount: 40.3,
      LinkedTxn: [{ TxnId: JOURNAL_ENTRY_PENDING, TxnType: 'JournalEntry', TxnLineId: '0' }],
    });
    expect(lineTotal(p)).toBe(0);
    expect(p.report).toMatchObject({ payoutNet: usd(-4_030), depositTotal: usd(0), clearingBalanced: true });
    expect(linkJournalEntry(p.deposit, '555').Line.at(-1)).toEqual({
      Amount: 40.3,
      LinkedTxn: [{ TxnId: '555', TxnType: 'JournalEntry', TxnLineId: '0' }],
    });
  });

  it('treats a DEPOSIT payout whose net is negative the same way', () => {
    const rows = [tx('DISPUTE_WITHDRAWAL', -8_000, 1_500, { sourceType: 'DISPUTE' })];
    const p = plan(input(rows));
    expect(p.kind).toBe('journal_and_zero_deposit');
    expect(lineTotal(p)).toBe(0);
  });

  it('runs the JournalEntry through the Shopify Payments gateway’s own clearing account when it has one', () => {
    const settings = parseSettings({
      taxMode: 'us_automated',
      accounts: ACCOUNTS,
      gateways: { shopify_payments: { depositAccountId: '40' } },
      payouts: PAYOUT_ACCOUNTS,
    });
    const rows = [tx('REFUND', -1_000)];
    const p = plan(
      input(rows, {
        settings,
        documents: { [rows[0]!.sourceOrderTransactionId!]: booked(document('RefundReceipt', '9', -1_000, { clearingAccountId: '40' })) },
      }),
    );
    expect(p.journalEntry?.Line[0].JournalEntryLineDetail.AccountRef).toEqual({ value: '40' });
    expect(p.report.clearing).toEqual([{ accountId: '40', change: usd(0) }]);
  });

  it('posts a zero payout as a zero-total Deposit that still clears its documents, with no JournalEntry', () => {
    const rows = [tx('CHARGE', 2_000), tx('REFUND', -2_000)];
    const p = plan(input(rows));
    expect(p.kind).toBe('deposit');
    expect(p.deposit.Line).toHaveLength(2);
    expect(lineTotal(p)).toBe(0);
  });

  it('has nothing to post for a payout with no rows and no money', () => {
    expect(buildDeposit(input([]))).toMatchObject({ ok: false, code: 'nothing_to_post' });
  });
});

describe('retried payouts', () => {
  const failedContents = (): BalanceTransaction[] => [
    tx('CHARGE', 3_000, 90, { associatedPayout: { id: 'gid://shopify/ShopifyPaymentsPayout/8000', status: 'FAILED' } }),
    tx('REFUND', -500, 0, { associatedPayout: { id: 'gid://shopify/ShopifyPaymentsPayout/8000', status: 'FAILED' } }),
  ];

  it('relinks a failed payout’s documents where its money comes back, and books its fees again', () => {
    const failed = failedContents();
    const back = tx('TRANSFER_FAILURE', 2_410, 0, { sourceType: 'TRANSFER' });
    const rows = [tx('CHARGE', 1_000, 30), back];
    const p = plan(
      input(rows, {
        documents: { ...input(failed).documents, ...input(rows).documents },
        retried: {
          [back.id]: { payout: payout(2_410, { id: 'gid://shopify/ShopifyPaymentsPayout/8000', status: 'FAILED' }), transactions: failed },
        },
      }),
    );
    expect(p.deposit.Line.filter((l) => 'LinkedTxn' in l)).toHaveLength(3);
    expect(lineTotal(p)).toBe(970 + 2_410);
    expect(p.report.fees).toEqual(usd(120));
    expect(p.report.rows.find((r) => r.transactionId === back.id)).toMatchObject({ outcome: 'expanded' });
    expect(p.report.rows.filter((r) => r.via === back.id).map((r) => r.outcome)).toEqual(['linked', 'linked']);
    expect(p.report.needsAttention).toBe(false);
  });

  it('books returned money to the clearing account, flagged, when the failed payout’s contents do not match it', () => {
    const back = tx('TRANSFER_FAILURE', 9_999, 0, { sourceType: 'TRANSFER' });
    const p = plan(input([back], { retried: { [back.id]: { payout: payout(2_410), transactions: failedContents() } } }));
    expect(detail(p, 0).DepositLineDetail.AccountRef.value).toBe(A.clearing);
    expect(flagCodes(p)).toEqual(['retried_payout_mismatch']);
  });
});

describe('reading the Deposit back (invariant 4 after the write)', () => {
  const rows = [tx('CHARGE', 4_530, 161), tx('REFUND', -2_000)];
  const built = plan(input(rows));
  const asBooked = (over: Record<string, unknown> = {}) => ({ ...built.deposit, Id: '700', SyncToken: '0', TotalAmt: 23.69, ...over });

  it('accepts the Deposit QBO booked as planned, lines in any order', () => {
    expect(checkDepositReadBack(asBooked({ Line: [...built.deposit.Line].reverse() }), payoutOf(rows), built)).toEqual({
      ok: true,
      total: usd(2_369),
    });
  });

  it('refuses a total other than the payout’s net, naming both', () => {
    const verdict = checkDepositReadBack(asBooked({ TotalAmt: 23.7 }), payoutOf(rows), built);
    expect(verdict).toMatchObject({ ok: false, problems: ['total: QBO 23.70, the payout 23.69'] });
  });

  it('refuses a Deposit with a line missing or into another account', () => {
    const verdict = checkDepositReadBack(
      asBooked({ Line: built.deposit.Line.slice(1), DepositToAccountRef: { value: '1' } }),
      payoutOf(rows),
      built,
    );
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.problems).toEqual([
      'account: QBO 1, planned 35',
      `lines missing: SalesReceipt:q${rows[0]!.sourceOrderTransactionId}=4530`,
    ]);
  });

  it('checks a negative payout’s zero Deposit and its JournalEntry', () => {
    const refunds = [tx('REFUND', -5_000)];
    const p = plan(input(refunds));
    const deposit = { ...linkJournalEntry(p.deposit, '555'), TotalAmt: 0 };
    expect(checkDepositReadBack(deposit, payoutOf(refunds), p, '555').ok).toBe(true);
    const je = { ...p.journalEntry, Id: '555' };
    expect(checkJournalReadBack(je, payoutOf(refunds), p).ok).toBe(true);
    const wrong = { ...je, Line: [je.Line![0], { ...je.Line![1], Amount: 49 }] };
    expect(checkJournalReadBack(wrong, payoutOf(refunds), p)).toMatchObject({
      ok: false,
      problems: [`credits: expected 50.00 to the bank account ${A.bank} only`],
    });
  });
});

describe('the reconciliation report', () => {
  it('maps every balance transaction once and adds up to the Deposit', () => {
    const rows = [
      tx('CHARGE', 10_000, 300),
      tx('REFUND', -2_000),
      tx('CHARGEBACK_FEE', -1_500),
      tx('RESERVED_FUNDS', -700),
      tx('FUTURE_THING', 10),
    ];
    const p = plan(input(rows));
    expect(p.report.rows.map((r) => r.transactionId)).toEqual(rows.map((r) => r.id));
    expect(p.report.lines.reduce((s, l) => s + l.amount.minor, 0)).toBe(p.report.depositTotal.minor);
    expect(p.report.depositTotal).toEqual(p.report.payoutNet);
    for (const row of p.report.rows.filter((r) => r.lineIndex !== null))
      expect(p.report.lines[row.lineIndex!]!.transactionIds).toContain(row.transactionId);
    expect(SETTINGS.payouts.documentGraceDays).toBe(7);
  });
});
