import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RECENT_TAX_LINES, RECENT_TAX_LINES_COST } from '../../services/stores/tax-mapping';
import { requestedCost } from '../domain/helpers/graphql-cost';
import { loadShopifySchema } from '../domain/helpers/shopify-schema';

const schema = loadShopifySchema('2026-10');

describe('the recent tax lines query read at connect', () => {
  it('validates against the real Admin 2026-10 schema', () => {
    expect(validate(schema, parse(RECENT_TAX_LINES)).map((e) => e.message)).toEqual([]);
  });

  it('costs what the pacer is told, with a margin of at least 20 % under the 1,000-point cap', () => {
    expect(requestedCost(schema, RECENT_TAX_LINES).cost).toBe(RECENT_TAX_LINES_COST);
    expect(RECENT_TAX_LINES_COST).toBeLessThanOrEqual(800);
  });
});
