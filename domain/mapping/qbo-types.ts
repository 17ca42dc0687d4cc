/**
 * The QBO payloads Ledgerline writes, field names from the v3 schema (emulators/qbo/schema/qbo-v3-schema.json):
 * SalesReceipt/Invoice (SalesTransaction), Line, SalesItemLineDetail, DiscountLineDetail, TxnTaxDetail,
 * TaxLineDetail, Payment, Item. Money fields are JSON numbers made by toQboAmount from minor units.
 */

export interface QboRef {
  value: string;
  name?: string;
}

export interface QboPhysicalAddress {
  Line1?: string;
  City?: string;
  CountrySubDivisionCode?: string;
  PostalCode?: string;
  Country?: string;
}

export interface QboSalesItemLine {
  DetailType: 'SalesItemLineDetail';
  Amount: number;
  Description?: string;
  SalesItemLineDetail: {
    ItemRef: QboRef;
    Qty: number;
    UnitPrice: number;
    TaxCodeRef?: QboRef;
    /** Global TaxInclusive documents: the line's gross; `Amount` is then net of tax. */
    TaxInclusiveAmt?: number;
  };
}

export interface QboDiscountLine {
  DetailType: 'DiscountLineDetail';
  Amount: number;
  Description?: string;
  DiscountLineDetail: {
    PercentBased: false;
    DiscountAccountRef: QboRef;
  };
}

export interface QboTaxLine {
  DetailType: 'TaxLineDetail';
  Amount: number;
  TaxLineDetail: {
    TaxRateRef: QboRef;
    PercentBased: true;
    TaxPercent: number;
    NetAmountTaxable: number;
  };
}

export interface QboTxnTaxDetail {
  TxnTaxCodeRef?: QboRef;
  TotalTax: number;
  TaxLine?: QboTaxLine[];
}

export type QboSalesLine = QboSalesItemLine | QboDiscountLine;

export type QboGlobalTaxCalculation = 'TaxInclusive' | 'TaxExcluded' | 'NotApplicable';

interface QboSalesDocumentBase {
  TxnDate: string;
  DocNumber: string;
  PrivateNote: string;
  CustomerRef: QboRef;
  Line: QboSalesLine[];
  TxnTaxDetail: QboTxnTaxDetail;
  GlobalTaxCalculation?: QboGlobalTaxCalculation;
  /** US: true subtracts discount lines before working out the tax (Finance.xsd SalesTransaction). */
  ApplyTaxAfterDiscount?: boolean;
  ClassRef?: QboRef;
  DepartmentRef?: QboRef;
  BillAddr?: QboPhysicalAddress;
  ShipAddr?: QboPhysicalAddress;
  /** Always 'NotSet': QBO files a sales form sent without it under "NeedToPrint" (its print queue). */
  PrintStatus: 'NotSet';
  /** Present on documents read back from QBO; never sent. */
  TotalAmt?: number;
}

export interface QboSalesReceipt extends QboSalesDocumentBase {
  DepositToAccountRef: QboRef;
  PaymentMethodRef?: QboRef;
}

export type QboInvoice = QboSalesDocumentBase;

export type QboSalesDocument = QboSalesReceipt | QboInvoice;

export interface QboPayment {
  TxnDate: string;
  PrivateNote: string;
  CustomerRef: QboRef;
  TotalAmt: number;
  DepositToAccountRef: QboRef;
  PaymentMethodRef?: QboRef;
  Line: Array<{ Amount: number; LinkedTxn: Array<{ TxnId: string; TxnType: 'Invoice' }> }>;
}

export type QboItemType = 'NonInventory' | 'Service' | 'Inventory';

/** The Item an activity creates when a product has none (docs/qbo-facts.md §4 "Item"). */
export interface QboItemCreate {
  Name: string;
  Type: QboItemType;
  Sku?: string;
  Description?: string;
  IncomeAccountRef: QboRef;
  ExpenseAccountRef?: QboRef;
  AssetAccountRef?: QboRef;
  TrackQtyOnHand?: boolean;
  QtyOnHand?: number;
  InvStartDate?: string;
}
