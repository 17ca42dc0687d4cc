import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorClock } from '../core/clock';
import type { QboSchema } from '../schema/schema';
import { seedEntity } from '../rules/operations';
import type { RuleContext } from '../rules/context';
import type { CompanyFile, Entity } from '../types';
import { Company, type EntityName } from './company';
import { defaultCompany, defaultPreferences } from './defaultCompany';
import { emptyState } from './state';

/**
 * Builds a company from a company file. Lists the file leaves out come from defaultCompany() for its
 * country, so `{ qboCompany: { realmId, companyName, country } }` is a working company. Seeded entities go
 * through the same schema check and rules as API creates (so a broken seed fails loudly).
 */
const LISTS: [key: keyof CompanyFile['qboCompany'], entity: EntityName][] = [
  ['accounts', 'Account'],
  ['taxRates', 'TaxRate'],
  ['taxCodes', 'TaxCode'],
  ['terms', 'Term'],
  ['paymentMethods', 'PaymentMethod'],
  ['classes', 'Class'],
  ['departments', 'Department'],
  ['customers', 'Customer'],
  ['vendors', 'Vendor'],
  ['employees', 'Employee'],
  ['items', 'Item'],
];

export function merge(base: Entity, over: Entity | undefined): Entity {
  if (!over) return base;
  const out: Entity = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    const nested = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof current === 'object' && current !== null;
    out[key] = nested ? merge(current as Entity, value as Entity) : value;
  }
  return out;
}

export function loadCompany(file: CompanyFile, clock: EmulatorClock, schema: QboSchema): Company {
  const data = file.qboCompany;
  if (!data?.realmId || !data.country) throw new Error('company file needs qboCompany.realmId and qboCompany.country');
  const realmId = String(data.realmId);
  const ast = data.country === 'US' && data.automatedSalesTax !== false;
  const defaults = defaultCompany({ realmId, country: data.country, automatedSalesTax: ast }).qboCompany;
  const company = new Company(emptyState(realmId, data.country));
  const ctx: RuleContext = { company, clock, schema, allowDuplicateDocNum: true, hidden: new Set(), seeding: true };

  let preferences = defaultPreferences(data.country, ast);
  if (data.accounts) {
    delete preferences.SalesFormsPrefs.DefaultDiscountAccount;
    delete preferences.SalesFormsPrefs.DefaultShippingAccount;
  }
  preferences = merge(preferences, data.preferences);
  const address = data.companyAddress ?? defaults.companyAddress;
  seedEntity(ctx, 'CompanyInfo', {
    Id: '1',
    CompanyName: data.companyName ?? realmId,
    LegalName: data.companyName ?? realmId,
    CompanyAddr: address,
    LegalAddr: address,
    Country: data.country,
    FiscalYearStartMonth: 'January',
    CompanyStartDate: clock.today(),
    SupportedLanguages: 'en',
  });
  seedEntity(ctx, 'Preferences', { ...preferences, Id: '1' });

  const lists = LISTS.map(([key, entity]) => [entity, (data[key] ?? defaults[key] ?? []) as Entity[]] as const);
  for (const [, entities] of lists) for (const e of entities) if (e.Id !== undefined) company.reserveId(String(e.Id));
  for (const [entity, entities] of lists) for (const e of entities) seedEntity(ctx, entity, e);
  company.state.jurisdictions = data.salesTaxJurisdictions ?? (data.taxCodes ? [] : (defaults.salesTaxJurisdictions ?? []));
  return company;
}

/** Every *.json in `dir` that has a `qboCompany` key; other JSON files are ignored. */
export function readSeedDir(dir: string): CompanyFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
      return typeof parsed === 'object' && parsed !== null && 'qboCompany' in parsed ? [parsed as CompanyFile] : [];
    });
}
