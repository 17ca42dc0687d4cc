import type { Country, Entity, SalesTaxJurisdiction } from '../types';

/**
 * Tax codes and rates of the default companies (docs/qbo-facts.md §4). US: TAX/NON line codes plus an AST rate
 * table of state rates and a few city ZIP overrides; CA: GST/HST/PST/QST; GB: VAT 20 %, 5 %, 0 %, exempt;
 * AU: GST 10 % and GST-free. Ids 100+ are rates, 200+ codes.
 */
interface RateSpec {
  name: string;
  rate: string;
}
interface CodeSpec {
  name: string;
  description: string;
  rates: number[];
}

const US_STATES: [state: string, name: string, rate: string][] = [
  ['CA', 'California', '7.25'],
  ['NY', 'New York', '4'],
  ['TX', 'Texas', '6.25'],
  ['WA', 'Washington', '6.5'],
  ['FL', 'Florida', '6'],
  ['IL', 'Illinois', '6.25'],
  ['MA', 'Massachusetts', '6.25'],
  ['NJ', 'New Jersey', '6.625'],
  ['PA', 'Pennsylvania', '6'],
  ['GA', 'Georgia', '4'],
];

const US_ZIPS: [zip: string, state: string, name: string, rate: string][] = [
  ['94105', 'CA', 'San Francisco', '8.625'],
  ['10001', 'NY', 'New York City', '8.875'],
  ['98101', 'WA', 'Seattle', '10.35'],
  ['60601', 'IL', 'Chicago', '10.25'],
];

const GLOBAL: Record<Exclude<Country, 'US'>, { rates: RateSpec[]; codes: CodeSpec[] }> = {
  CA: {
    rates: [
      { name: 'GST', rate: '5' },
      { name: 'HST ON', rate: '13' },
      { name: 'PST BC', rate: '7' },
      { name: 'QST', rate: '9.975' },
      { name: 'Zero-rated', rate: '0' },
    ],
    codes: [
      { name: 'GST', description: 'GST 5%', rates: [0] },
      { name: 'HST ON', description: 'HST Ontario 13%', rates: [1] },
      { name: 'GST/PST BC', description: 'GST 5% + PST BC 7%', rates: [0, 2] },
      { name: 'GST/QST QC', description: 'GST 5% + QST 9.975%', rates: [0, 3] },
      { name: 'Zero-rated', description: 'Zero-rated 0%', rates: [4] },
      { name: 'Exempt', description: 'Exempt', rates: [] },
    ],
  },
  GB: {
    rates: [
      { name: '20.0% S', rate: '20' },
      { name: '5.0% R', rate: '5' },
      { name: '0.0% Z', rate: '0' },
    ],
    codes: [
      { name: '20.0% S', description: 'Standard rate', rates: [0] },
      { name: '5.0% R', description: 'Reduced rate', rates: [1] },
      { name: '0.0% Z', description: 'Zero rate', rates: [2] },
      { name: 'Exempt', description: 'Exempt', rates: [] },
      { name: 'No VAT', description: 'Outside the scope of VAT', rates: [] },
    ],
  },
  AU: {
    rates: [
      { name: 'GST (sales)', rate: '10' },
      { name: 'GST free', rate: '0' },
    ],
    codes: [
      { name: 'GST', description: 'GST 10%', rates: [0] },
      { name: 'GST free', description: 'GST-free', rates: [1] },
      { name: 'Input taxed', description: 'Input taxed', rates: [] },
    ],
  },
};

const rateEntity = (id: number, name: string, rate: string): Entity => ({
  Id: String(id),
  Name: name,
  Description: name,
  RateValue: Number(rate),
  AgencyRef: { value: '1' },
  SpecialTaxType: 'NONE',
  DisplayType: 'ReadOnly',
  Active: true,
});

const codeEntity = (id: string, name: string, description: string, rateIds: string[], names: string[]): Entity => ({
  Id: id,
  Name: name,
  Description: description.slice(0, 31),
  Active: true,
  Hidden: false,
  Taxable: rateIds.length > 0,
  TaxGroup: rateIds.length > 1,
  SalesTaxRateList: {
    TaxRateDetail: rateIds.map((r, i) => ({ TaxRateRef: { value: r, name: names[i] }, TaxTypeApplicable: 'TaxOnAmount', TaxOrder: 0 })),
  },
  PurchaseTaxRateList: { TaxRateDetail: [] },
});

export interface TaxTables {
  taxRates: Entity[];
  taxCodes: Entity[];
  salesTaxJurisdictions: SalesTaxJurisdiction[];
}

export function taxTables(country: Country): TaxTables {
  if (country === 'US') {
    const taxCodes = [codeEntity('TAX', 'TAX', 'Taxable', [], []), codeEntity('NON', 'NON', 'Non-taxable', [], [])];
    taxCodes[0] = { ...taxCodes[0], Taxable: true };
    const taxRates: Entity[] = [];
    const salesTaxJurisdictions: SalesTaxJurisdiction[] = [];
    const places = [
      ...US_STATES.map(([state, name, rate]) => ({ state, name, rate, zip: undefined as string | undefined })),
      ...US_ZIPS.map(([zip, state, name, rate]) => ({ state, name, rate, zip })),
    ];
    places.forEach((place, i) => {
      const rateId = String(100 + i);
      const codeId = String(200 + i);
      taxRates.push(rateEntity(100 + i, `${place.name} tax`, place.rate));
      taxCodes.push(codeEntity(codeId, place.name, `${place.name} ${place.rate}%`, [rateId], [`${place.name} tax`]));
      salesTaxJurisdictions.push({ state: place.state, ...(place.zip ? { postalCode: place.zip } : {}), taxCodeId: codeId });
    });
    return { taxRates, taxCodes, salesTaxJurisdictions };
  }
  const table = GLOBAL[country];
  const taxRates = table.rates.map((r, i) => rateEntity(100 + i, r.name, r.rate));
  const taxCodes = table.codes.map((c, i) =>
    codeEntity(
      String(200 + i),
      c.name,
      c.description,
      c.rates.map((r) => String(100 + r)),
      c.rates.map((r) => table.rates[r]?.name ?? ''),
    ),
  );
  return { taxRates, taxCodes, salesTaxJurisdictions: [] };
}
