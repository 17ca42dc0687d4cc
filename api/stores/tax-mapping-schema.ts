/** The tax mapping proposal's response schema (services/stores/tax-mapping.ts TaxMappingView), without imports so both
 * the connect answer (schemas.ts) and the tax mapping routes (tax-mapping.ts) can use it. */
const str = { type: 'string' } as const;
const status = { type: 'string', enum: ['given', 'matched', 'ambiguous', 'unmapped'] } as const;
const taxLine = { type: 'object', properties: { title: str, rate: { type: 'number' } } } as const;
const candidates = { type: 'array', items: { type: 'object', properties: { id: str, name: str } } } as const;

/** The proposal as the connect answer (`taxMapping`) and the tax mapping routes serialise it. */
export const taxMappingSchema = {
  type: 'object',
  description:
    'Proposed settings.taxCodeMap (global tax mode): per Shopify tax line combination a QBO TaxCode, per tax line a QBO TaxRate, and the code for untaxed lines. matched entries are applied, ambiguous ones list the candidates to choose from, unmapped ones say which rate QBO lacks.',
  properties: {
    codes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          taxLines: { type: 'array', items: taxLine },
          status,
          taxCodeId: str,
          taxCodeName: str,
          candidates,
          reason: str,
        },
      },
    },
    rates: {
      type: 'array',
      items: {
        type: 'object',
        properties: { title: str, rate: { type: 'number' }, status, taxRateId: str, taxRateName: str, candidates, reason: str },
      },
    },
    exempt: { type: 'object', properties: { status, taxCodeId: str, taxCodeName: str, candidates, reason: str } },
    taxCodeMap: { type: 'object', additionalProperties: true, description: 'The settings.taxCodeMap the store books with once applied' },
    complete: { type: 'boolean', description: 'Every observed tax line has a QBO code and rate, and untaxed lines have a code' },
    ordersSampled: { type: 'integer', description: 'How many of the most recent orders the tax lines were read from' },
    note: str,
  },
} as const;
