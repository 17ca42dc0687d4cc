// Tax regions of the generated shops: per-jurisdiction tax lines (rates in parts per million, so
// 8.875% is 88 750) and whether shipping is taxed, with addresses to put on orders.

export type TaxRegion = 'US' | 'CA' | 'GB' | 'AU';

export interface TaxRate {
  title: string;
  ppm: number;
}
export interface Jurisdiction {
  countryCode: string;
  provinceCode: string | null;
  city: string;
  zip: string;
  rates: TaxRate[];
  /** Rates that also apply to shipping (empty: shipping untaxed). */
  shippingRates: TaxRate[];
}

export interface RegionInfo {
  currency: string;
  timezone: string;
  jurisdictions: Jurisdiction[];
  abroad: Omit<Jurisdiction, 'rates' | 'shippingRates'>;
}

const j = (
  countryCode: string,
  provinceCode: string | null,
  city: string,
  zip: string,
  rates: TaxRate[],
  taxShipping: boolean | TaxRate[],
): Jurisdiction => ({
  countryCode,
  provinceCode,
  city,
  zip,
  rates,
  shippingRates: taxShipping === true ? rates : taxShipping === false ? [] : taxShipping,
});

const GST_CA = { title: 'GST', ppm: 50_000 };
const VAT = { title: 'VAT', ppm: 200_000 };
const GST_AU = { title: 'GST', ppm: 100_000 };

export const REGIONS: Record<TaxRegion, RegionInfo> = {
  US: {
    currency: 'USD',
    timezone: 'America/New_York',
    jurisdictions: [
      j(
        'US',
        'CA',
        'Los Angeles',
        '90012',
        [
          { title: 'California State Tax', ppm: 60_000 },
          { title: 'Los Angeles County Tax', ppm: 35_000 },
        ],
        false,
      ),
      j(
        'US',
        'NY',
        'New York',
        '10001',
        [
          { title: 'New York State Tax', ppm: 40_000 },
          { title: 'New York City Tax', ppm: 48_750 },
        ],
        true,
      ),
      j(
        'US',
        'TX',
        'Austin',
        '73301',
        [
          { title: 'Texas State Tax', ppm: 62_500 },
          { title: 'Austin City Tax', ppm: 20_000 },
        ],
        true,
      ),
      j('US', 'OR', 'Portland', '97201', [], false),
    ],
    abroad: { countryCode: 'CA', provinceCode: 'ON', city: 'Toronto', zip: 'M5V 2T6' },
  },
  CA: {
    currency: 'CAD',
    timezone: 'America/Toronto',
    jurisdictions: [
      j('CA', 'ON', 'Toronto', 'M5V 2T6', [{ title: 'HST', ppm: 130_000 }], true),
      j('CA', 'BC', 'Vancouver', 'V6B 1A1', [GST_CA, { title: 'PST', ppm: 70_000 }], [GST_CA]),
      j('CA', 'QC', 'Montréal', 'H2X 1Y4', [GST_CA, { title: 'QST', ppm: 99_750 }], true),
      j('CA', 'AB', 'Calgary', 'T2P 1J9', [GST_CA], true),
    ],
    abroad: { countryCode: 'US', provinceCode: 'WA', city: 'Seattle', zip: '98101' },
  },
  GB: {
    currency: 'GBP',
    timezone: 'Europe/London',
    jurisdictions: [j('GB', 'ENG', 'London', 'EC1A 1BB', [VAT], true), j('GB', 'SCT', 'Edinburgh', 'EH1 1YZ', [VAT], true)],
    abroad: { countryCode: 'US', provinceCode: 'NY', city: 'New York', zip: '10001' },
  },
  AU: {
    currency: 'AUD',
    timezone: 'Australia/Sydney',
    jurisdictions: [j('AU', 'NSW', 'Sydney', '2000', [GST_AU], true), j('AU', 'VIC', 'Melbourne', '3000', [GST_AU], true)],
    abroad: { countryCode: 'NZ', provinceCode: null, city: 'Auckland', zip: '1010' },
  },
};

/** Tax charged on top of `net` (half up, per rate). */
export function exclusiveTax(net: number, rates: TaxRate[]): number[] {
  return rates.map((r) => Math.floor((net * r.ppm + 500_000) / 1_000_000));
}

/** Tax contained in a tax-inclusive `net`, split over the rates by their weight. */
export function inclusiveTax(net: number, rates: TaxRate[], allocate: (total: number, weights: number[]) => number[]): number[] {
  const total = rates.reduce((s, r) => s + r.ppm, 0);
  if (total === 0) return rates.map(() => 0);
  const exTax = Math.floor((net * 1_000_000 * 2 + (1_000_000 + total)) / (2 * (1_000_000 + total)));
  return allocate(
    net - exTax,
    rates.map((r) => r.ppm),
  );
}
