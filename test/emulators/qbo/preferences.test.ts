import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_ITEM_IDS as I, DEFAULT_LIST_IDS as L, defaultCompany } from '../../../emulators/qbo';
import { connect, faultOf, itemLine, start, type Qbo, type Started } from './helpers';

/** Company preferences that change what QBO does with what it is sent (docs/qbo-facts.md §4 "Company preferences"). */
describe('QBO emulator: company preferences', () => {
  let s: Started;
  let noTax: Qbo;
  let noDiscount: Qbo;
  let legacy: Qbo;
  beforeAll(async () => {
    s = await start(
      { country: 'US' },
      {
        companies: [
          defaultCompany({ realmId: '601', country: 'US' }),
          defaultCompany({ realmId: '602', country: 'US' }),
          defaultCompany({ realmId: '603', country: 'US', automatedSalesTax: false }),
        ],
      },
    );
    s.emu.admin.setPreferences('601', { TaxPrefs: { UsingSalesTax: false } });
    s.emu.admin.setPreferences('602', { SalesFormsPrefs: { AllowDiscount: false } });
    noTax = connect(s.emu, '601');
    noDiscount = connect(s.emu, '602');
    legacy = connect(s.emu, '603');
  });
  afterAll(() => s.emu.close());

  const lines = [itemLine(I.tee, 2, 20, 40, 'TAX')];
  const discount = {
    DetailType: 'DiscountLineDetail',
    Amount: 4,
    DiscountLineDetail: { PercentBased: false, DiscountAccountRef: { value: A.discountsGiven } },
  };

  it('ignores TxnTaxDetail when the company does not use sales tax, so the tax is silently dropped', async () => {
    const sr = await noTax.call('createSalesReceipt', { Line: lines, TxnTaxDetail: { TotalTax: 3.3 } });
    expect(sr.TxnTaxDetail.TotalTax).toBe(0);
    expect(sr.TotalAmt).toBe(40);
    const prefs = await noTax.call('getPreferences');
    expect(prefs.TaxPrefs.UsingSalesTax).toBe(false);
  });

  it('refuses a discount line when the company has discounts off, and takes it once they are on', async () => {
    const fault = await faultOf(noDiscount.call('createSalesReceipt', { Line: [...lines, discount] }));
    expect(fault.code).toBe('6000');
    expect(fault.element).toBe('Line.DiscountLineDetail');
    expect((await noDiscount.call('createSalesReceipt', { Line: lines })).TotalAmt).toBeGreaterThan(40);
    const sr = await s.qbo.call('createSalesReceipt', { Line: [...lines, discount], TxnTaxDetail: { TotalTax: 0 } });
    expect(sr.TotalAmt).toBe(36);
  });

  it('needs TxnTaxCodeRef with a TotalTax override in a US company without automated sales tax', async () => {
    const fault = await faultOf(legacy.call('createSalesReceipt', { Line: lines, TxnTaxDetail: { TotalTax: 3.3 } }));
    expect(fault.code).toBe('6000');
    expect(fault.element).toBe('TxnTaxDetail.TxnTaxCodeRef');
    const sr = await legacy.call('createSalesReceipt', { Line: lines, TxnTaxDetail: { TxnTaxCodeRef: { value: '200' }, TotalTax: 3.3 } });
    expect(sr.TxnTaxDetail).toMatchObject({ TotalTax: 3.3, TxnTaxCodeRef: { value: '200' } });
    expect(sr.TotalAmt).toBe(43.3);
    // An AST company works the code out from the address: TotalTax alone is enough there.
    expect((await s.qbo.call('createSalesReceipt', { Line: lines, TxnTaxDetail: { TotalTax: 3.3 } })).TxnTaxDetail.TotalTax).toBe(3.3);
  });

  it('takes the discount off the taxable amount first only when ApplyTaxAfterDiscount is true, and keeps a sent TotalTax either way', async () => {
    const body = { ShipAddr: { CountrySubDivisionCode: 'TX', PostalCode: '73301' }, Line: [...lines, discount] };
    const before = await s.qbo.call('createSalesReceipt', body);
    expect(before.TxnTaxDetail.TaxLine[0].TaxLineDetail.NetAmountTaxable).toBe(40);
    const after = await s.qbo.call('createSalesReceipt', { ...body, ApplyTaxAfterDiscount: true });
    expect(after.TxnTaxDetail.TaxLine[0].TaxLineDetail.NetAmountTaxable).toBe(36);
    const kept = await s.qbo.call('createSalesReceipt', { ...body, ApplyTaxAfterDiscount: true, TxnTaxDetail: { TotalTax: 2.25 } });
    expect(kept.TxnTaxDetail.TotalTax).toBe(2.25);
    expect(kept.TotalAmt).toBe(38.25);
  });

  it('numbers sales forms itself when custom transaction numbers are off, and keeps a sent number even when it repeats', async () => {
    const realm = s.emu.admin.createCompany({ country: 'US' });
    const realmId = s.emu.admin.companies().at(-1)!;
    s.emu.admin.setPreferences(realmId, { SalesFormsPrefs: { CustomTxnNumbers: false } });
    const own = connect(s.emu, realmId, realm);
    const first = await own.call('createSalesReceipt', { Line: lines });
    const second = await own.call('createSalesReceipt', { Line: lines });
    expect([first.DocNumber, second.DocNumber]).toEqual(['1001', '1002']);
    const repeated = await own.call('createSalesReceipt', { Line: lines, DocNumber: '1001' });
    expect(repeated.DocNumber).toBe('1001');
    // With custom numbers on (the default) a form sent without a number has none, and a repeat is 6140.
    expect((await s.qbo.call('createSalesReceipt', { Line: lines })).DocNumber).toBeUndefined();
  });

  it('accepts duplicate journal entry and check numbers while their warnings are off, and refuses them when on', async () => {
    const je = (n: string) => ({
      DocNumber: n,
      Line: [
        {
          DetailType: 'JournalEntryLineDetail',
          Amount: 5,
          JournalEntryLineDetail: { PostingType: 'Debit', AccountRef: { value: A.checking } },
        },
        {
          DetailType: 'JournalEntryLineDetail',
          Amount: 5,
          JournalEntryLineDetail: { PostingType: 'Credit', AccountRef: { value: A.undepositedFunds } },
        },
      ],
    });
    await s.qbo.call('createJournalEntry', je('JE-1'));
    expect((await s.qbo.call('createJournalEntry', je('JE-1'))).DocNumber).toBe('JE-1');
    const check = (n: string) => ({
      DocNumber: n,
      PaymentType: 'Check',
      AccountRef: { value: A.checking },
      EntityRef: { value: L.shopifyVendor, type: 'Vendor' },
      Line: [
        { DetailType: 'AccountBasedExpenseLineDetail', Amount: 7, AccountBasedExpenseLineDetail: { AccountRef: { value: A.shopifyFees } } },
      ],
    });
    await s.qbo.call('createPurchase', check('101'));
    expect((await faultOf(s.qbo.call('createPurchase', check('101')))).code).toBe('6140');

    s.emu.admin.setPreferences(s.realmId, {
      OtherPrefs: {
        NameValue: [
          { Name: 'WarnDuplicateCheckNumber', Value: 'false' },
          { Name: 'WarnDuplicateJournalNumber', Value: 'true' },
        ],
      },
    });
    expect((await s.qbo.call('createPurchase', check('101'))).DocNumber).toBe('101');
    expect((await faultOf(s.qbo.call('createJournalEntry', je('JE-1')))).code).toBe('6140');
  });
});
