import type { EntityName } from '../company/company';
import type { EntityRules } from './context';
import { depositRules } from './deposit';
import { expenseRules } from './expense';
import { inventoryAdjustmentRules } from './inventory';
import { itemRules } from './items';
import { journalRules } from './journal';
import { listRules } from './lists';
import { paymentRules } from './payment';
import { salesRules } from './sales';

export const RULES: Record<EntityName, EntityRules> = {
  SalesReceipt: salesRules('SalesReceipt'),
  Invoice: salesRules('Invoice'),
  RefundReceipt: salesRules('RefundReceipt'),
  CreditMemo: salesRules('CreditMemo'),
  Payment: paymentRules,
  Deposit: depositRules,
  Purchase: expenseRules('Purchase'),
  Bill: expenseRules('Bill'),
  JournalEntry: journalRules,
  InventoryAdjustment: inventoryAdjustmentRules,
  Item: itemRules,
  Customer: listRules.Customer,
  Vendor: listRules.Vendor,
  Employee: listRules.Employee,
  Account: listRules.Account,
  Class: listRules.Class,
  Department: listRules.Department,
  Term: listRules.Term,
  PaymentMethod: listRules.PaymentMethod,
  TaxCode: listRules.TaxCode,
  TaxRate: listRules.TaxRate,
  Preferences: listRules.Preferences,
  CompanyInfo: listRules.CompanyInfo,
};
