import type { Entity } from '../types';
import type { CompanyState } from './state';

/** Entity names the emulator serves; URLs (`/salesreceipt`) and queries may spell them in any case. */
export const ENTITY_NAMES = [
  'SalesReceipt',
  'Invoice',
  'Payment',
  'RefundReceipt',
  'CreditMemo',
  'Deposit',
  'Purchase',
  'Bill',
  'JournalEntry',
  'InventoryAdjustment',
  'Item',
  'Customer',
  'Vendor',
  'Employee',
  'Account',
  'TaxCode',
  'TaxRate',
  'Class',
  'Department',
  'PaymentMethod',
  'Term',
  'Preferences',
  'CompanyInfo',
] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

const BY_LOWER = new Map<string, EntityName>(ENTITY_NAMES.map((n) => [n.toLowerCase(), n]));

export function canonicalEntity(name: string): EntityName | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

/** A company's state plus the lookups every rule needs. */
export class Company {
  constructor(public state: CompanyState) {}

  get realmId(): string {
    return this.state.realmId;
  }

  get country(): string {
    return this.state.country;
  }

  table(entity: string): Record<string, Entity> {
    return (this.state.entities[entity] ??= {});
  }

  get(entity: string, id: string): Entity | undefined {
    return this.table(entity)[id];
  }

  list(entity: string): Entity[] {
    return Object.values(this.table(entity));
  }

  put(entity: string, doc: Entity): void {
    this.table(entity)[String(doc.Id)] = doc;
  }

  remove(entity: string, id: string): void {
    delete this.table(entity)[id];
  }

  newId(): string {
    return String(this.state.nextId++);
  }

  /** Keeps the Id counter above seeded numeric Ids. */
  reserveId(id: string): void {
    const n = Number(id);
    if (Number.isInteger(n) && n >= this.state.nextId) this.state.nextId = n + 1;
  }

  preferences(): Entity {
    return this.get('Preferences', '1') ?? {};
  }

  companyInfo(): Entity {
    return this.get('CompanyInfo', '1') ?? {};
  }

  /** US companies with Automated Sales Tax (docs/qbo-facts.md §4: Preferences.TaxPrefs.PartnerTaxEnabled). */
  usesAst(): boolean {
    return this.country === 'US' && this.preferences().TaxPrefs?.PartnerTaxEnabled === true;
  }

  homeCurrency(): Entity {
    return this.preferences().CurrencyPrefs?.HomeCurrency ?? { value: 'USD' };
  }
}
