import type { CompanyFile, Country, Entity } from '../types';
import { taxTables } from './taxTables';

/**
 * A realistic Shopify-seller company: the chart of accounts Ledgerline maps to (docs/qbo-facts.md §4, docs/invariants.md
 * "The accounting model"), tax codes per country, a generic Shopify customer and vendor, payment methods,
 * and a few items. Ids are fixed so tests and seeds can refer to them (see README "Default company").
 */
export interface DefaultCompanyOptions {
  realmId: string;
  country: Country;
  automatedSalesTax?: boolean;
  companyName?: string;
}

export const DEFAULT_ACCOUNT_IDS = {
  checking: '1',
  undepositedFunds: '2',
  shopifyClearing: '3',
  shopifyReserve: '4',
  inventoryAsset: '5',
  accountsReceivable: '6',
  accountsPayable: '7',
  taxPayable: '8',
  giftCardLiability: '9',
  tipsPayable: '10',
  openingBalanceEquity: '11',
  retainedEarnings: '12',
  salesOfProduct: '13',
  shippingIncome: '14',
  discountsGiven: '15',
  costOfGoodsSold: '16',
  inventoryShrinkage: '17',
  shopifyFees: '18',
  chargebacks: '19',
  dutiesPayable: '20',
  creditCard: '21',
} as const;

export const DEFAULT_ITEM_IDS = { shipping: '30', giftCard: '31', tip: '32', tee: '33', service: '34' } as const;

export const DEFAULT_LIST_IDS = {
  shopifyCustomer: '40',
  shopifyVendor: '41',
  cash: '42',
  creditCardMethod: '43',
  shopifyPayments: '44',
  net30: '45',
  onlineClass: '46',
  onlineDepartment: '47',
} as const;

const TAX_PAYABLE: Record<Country, [name: string, subType: string]> = {
  US: ['Sales Tax Payable', 'SalesTaxPayable'],
  CA: ['GST/HST Payable', 'GlobalTaxPayable'],
  GB: ['VAT Control', 'GlobalTaxPayable'],
  AU: ['GST Payable', 'GlobalTaxPayable'],
};

const CURRENCY: Record<Country, Entity> = {
  US: { value: 'USD', name: 'United States Dollar' },
  CA: { value: 'CAD', name: 'Canadian Dollar' },
  GB: { value: 'GBP', name: 'British Pound Sterling' },
  AU: { value: 'AUD', name: 'Australian Dollar' },
};

const ADDRESS: Record<Country, Entity> = {
  US: { Line1: '1 Market St', City: 'San Francisco', CountrySubDivisionCode: 'CA', PostalCode: '94105', Country: 'USA' },
  CA: { Line1: '100 King St W', City: 'Toronto', CountrySubDivisionCode: 'ON', PostalCode: 'M5X 1A9', Country: 'Canada' },
  GB: { Line1: '1 Poultry', City: 'London', PostalCode: 'EC2R 8EJ', Country: 'United Kingdom' },
  AU: { Line1: '1 George St', City: 'Sydney', CountrySubDivisionCode: 'NSW', PostalCode: '2000', Country: 'Australia' },
};

const account = (id: string, Name: string, AccountType: string, AccountSubType: string): Entity => ({
  Id: id,
  Name,
  AccountType,
  AccountSubType,
});

function accounts(country: Country): Entity[] {
  const a = DEFAULT_ACCOUNT_IDS;
  const [taxName, taxSubType] = TAX_PAYABLE[country];
  return [
    account(a.checking, 'Checking', 'Bank', 'Checking'),
    account(a.undepositedFunds, 'Undeposited Funds', 'Other Current Asset', 'UndepositedFunds'),
    account(a.shopifyClearing, 'Shopify Clearing', 'Other Current Asset', 'OtherCurrentAssets'),
    account(a.shopifyReserve, 'Shopify Reserve', 'Other Current Asset', 'OtherCurrentAssets'),
    account(a.inventoryAsset, 'Inventory Asset', 'Other Current Asset', 'Inventory'),
    account(a.accountsReceivable, 'Accounts Receivable (A/R)', 'Accounts Receivable', 'AccountsReceivable'),
    account(a.accountsPayable, 'Accounts Payable (A/P)', 'Accounts Payable', 'AccountsPayable'),
    account(a.taxPayable, taxName, 'Other Current Liability', taxSubType),
    account(a.giftCardLiability, 'Gift Card Liability', 'Other Current Liability', 'OtherCurrentLiabilities'),
    account(a.tipsPayable, 'Tips Payable', 'Other Current Liability', 'OtherCurrentLiabilities'),
    account(a.openingBalanceEquity, 'Opening Balance Equity', 'Equity', 'OpeningBalanceEquity'),
    account(a.retainedEarnings, 'Retained Earnings', 'Equity', 'RetainedEarnings'),
    account(a.salesOfProduct, 'Sales of Product Income', 'Income', 'SalesOfProductIncome'),
    account(a.shippingIncome, 'Shipping Income', 'Income', 'SalesOfProductIncome'),
    account(a.discountsGiven, 'Discounts given', 'Income', 'DiscountsRefundsGiven'),
    account(a.costOfGoodsSold, 'Cost of Goods Sold', 'Cost of Goods Sold', 'SuppliesMaterialsCogs'),
    account(a.inventoryShrinkage, 'Inventory Shrinkage', 'Cost of Goods Sold', 'SuppliesMaterialsCogs'),
    account(a.shopifyFees, 'Shopify Fees', 'Expense', 'BankCharges'),
    account(a.chargebacks, 'Chargebacks', 'Expense', 'OtherMiscellaneousServiceCost'),
    account(a.dutiesPayable, 'Duties Payable', 'Other Current Liability', 'OtherCurrentLiabilities'),
    account(a.creditCard, 'Business Credit Card', 'Credit Card', 'CreditCard'),
  ];
}

function items(country: Country): Entity[] {
  const a = DEFAULT_ACCOUNT_IDS;
  const i = DEFAULT_ITEM_IDS;
  const us = country === 'US';
  const service = (Id: string, Name: string, income: string, taxable: boolean): Entity => ({
    Id,
    Name,
    Type: 'Service',
    IncomeAccountRef: { value: income },
    ...(us ? { Taxable: taxable } : {}),
  });
  return [
    service(i.shipping, 'Shipping', a.shippingIncome, false),
    service(i.giftCard, 'Gift Card', a.giftCardLiability, false),
    service(i.tip, 'Tip', a.tipsPayable, false),
    {
      Id: i.tee,
      Name: 'Blue Tee',
      Sku: 'TEE-BLU-M',
      Type: 'Inventory',
      TrackQtyOnHand: true,
      QtyOnHand: 100,
      InvStartDate: '2026-01-01',
      UnitPrice: 20,
      PurchaseCost: 8,
      IncomeAccountRef: { value: a.salesOfProduct },
      ExpenseAccountRef: { value: a.costOfGoodsSold },
      AssetAccountRef: { value: a.inventoryAsset },
      ...(us ? { Taxable: true } : {}),
    },
    { ...service(i.service, 'Gift Wrapping', a.salesOfProduct, true), UnitPrice: 5 },
  ];
}

export function defaultPreferences(country: Country, automatedSalesTax: boolean): Entity {
  return {
    Id: '1',
    AccountingInfoPrefs: {
      TrackDepartments: true,
      ClassTrackingPerTxnLine: true,
      FirstMonthOfFiscalYear: 'January',
      CustomerTerminology: 'Customers',
    },
    ProductAndServicesPrefs: { ForSales: true, ForPurchase: true, QuantityWithPriceAndRate: true, QuantityOnHand: true },
    SalesFormsPrefs: {
      CustomTxnNumbers: true,
      AllowDeposit: true,
      AllowDiscount: true,
      AllowShipping: false,
      AllowServiceDate: true,
      DefaultDiscountAccount: DEFAULT_ACCOUNT_IDS.discountsGiven,
      DefaultShippingAccount: DEFAULT_ACCOUNT_IDS.shippingIncome,
    },
    VendorAndPurchasesPrefs: { EnableBills: true, UsingInventory: true },
    TaxPrefs: { UsingSalesTax: true, PartnerTaxEnabled: country === 'US' && automatedSalesTax },
    CurrencyPrefs: { MultiCurrencyEnabled: false, HomeCurrency: CURRENCY[country] },
    // As Intuit's sample company answers (docs/qbo-facts.md §2 "Duplicate DocNumbers").
    OtherPrefs: {
      NameValue: [
        { Name: 'WarnDuplicateCheckNumber', Value: 'true' },
        { Name: 'WarnDuplicateBillNumber', Value: 'false' },
        { Name: 'WarnDuplicateJournalNumber', Value: 'false' },
      ],
    },
  };
}

export function defaultCompany(options: DefaultCompanyOptions): CompanyFile {
  const { realmId, country } = options;
  const l = DEFAULT_LIST_IDS;
  return {
    qboCompany: {
      realmId,
      companyName: options.companyName ?? `Ledgerline Demo ${country} ${realmId}`,
      country,
      automatedSalesTax: country === 'US' && (options.automatedSalesTax ?? true),
      companyAddress: ADDRESS[country],
      accounts: accounts(country),
      items: items(country),
      ...taxTables(country),
      customers: [{ Id: l.shopifyCustomer, DisplayName: 'Shopify Customer', CompanyName: 'Shopify Customer' }],
      vendors: [{ Id: l.shopifyVendor, DisplayName: 'Shopify', CompanyName: 'Shopify Inc.' }],
      employees: [],
      paymentMethods: [
        { Id: l.cash, Name: 'Cash', Type: 'NON_CREDIT_CARD' },
        { Id: l.creditCardMethod, Name: 'Credit Card', Type: 'CREDIT_CARD' },
        { Id: l.shopifyPayments, Name: 'Shopify Payments', Type: 'CREDIT_CARD' },
      ],
      terms: [{ Id: l.net30, Name: 'Net 30', DueDays: 30 }],
      classes: [{ Id: l.onlineClass, Name: 'Online Store' }],
      departments: [{ Id: l.onlineDepartment, Name: 'Online' }],
    },
    oauth: { refreshToken: `RT-${realmId}-seed`, accessToken: `AT-${realmId}-seed` },
  };
}
