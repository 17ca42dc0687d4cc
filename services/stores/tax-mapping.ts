/**
 * Automatic tax mapping for companies in QBO's global tax model (docs/tax-mapping.md): reads the QBO company's
 * TaxCodes and TaxRates and the tax lines on the shop's most recent orders, and proposes `settings.taxCodeMap`
 * (domain/tax/propose-mapping.ts). Connect applies the unambiguous matches and answers the whole proposal;
 * `GET /stores/:id/tax-mapping` proposes again (new tax lines appear as a shop sells into new regions) and
 * `POST /stores/:id/tax-mapping/apply` adds the new unambiguous matches to the settings (api/stores/tax-mapping.ts).
 */
import { getStoreWithShopifyToken, type StoreRow } from '../../db/queries/stores';
import { parseSettings, type Settings } from '../../domain/settings';
import {
  proposeTaxMapping,
  taxCodeInfo,
  taxRateInfo,
  type ObservedTaxLines,
  type ShopTaxLine,
  type TaxMappingProposal,
} from '../../domain/tax/propose-mapping';
import type { QboClient } from '../../integrations/qbo/client';
import { createShopifyClient, type ShopifyClient } from '../../integrations/shopify/client';
import { HttpError } from '../errors';
import type { StoreContext } from './context';
import { qboHttpError, storeQboClient } from './qbo-check';
import { shopifyHttpError } from './shopify-check';

/** How many recent orders are read for their tax lines, and how many lines of each. */
export const TAX_SAMPLE = { orders: 20, lineItems: 10, shippingLines: 2 } as const;

/**
 * Requested cost (docs/shopify-facts.md §1): per order 1 + address 1 + line items (2 + 10 × (item 1 + tax lines 1))
 * + shipping lines (2 + 2 × 2) = 30; 20 orders + the connection's 2 = 602, under the 1,000-point cap with room.
 */
export const RECENT_TAX_LINES_COST = 602;
export const RECENT_TAX_LINES = `query LedgerlineRecentTaxLines {
  orders(first: ${TAX_SAMPLE.orders}, sortKey: PROCESSED_AT, reverse: true) {
    nodes {
      shippingAddress { provinceCode }
      lineItems(first: ${TAX_SAMPLE.lineItems}) { nodes { taxLines { title rate } } }
      shippingLines(first: ${TAX_SAMPLE.shippingLines}) { nodes { taxLines { title rate } } }
    }
  }
}`;

interface TaxLinesNode {
  taxLines: { title: string; rate: number | null }[];
}
interface RecentOrders {
  orders: {
    nodes: {
      shippingAddress: { provinceCode: string | null } | null;
      lineItems: { nodes: TaxLinesNode[] };
      shippingLines: { nodes: TaxLinesNode[] };
    }[];
  };
}

/** What the API answers: the proposal, and how many orders it was drawn from. */
export interface TaxMappingView extends TaxMappingProposal {
  ordersSampled: number;
  /** Set when part of the proposal could not be read (the store connects anyway; propose again later). */
  note?: string;
}

/** Every combination of tax lines on a line item or shipping line of the shop's most recent orders. */
export async function observeShopTaxLines(shopify: ShopifyClient): Promise<{ observed: ObservedTaxLines[]; orders: number }> {
  const data = await shopify.request<RecentOrders>(RECENT_TAX_LINES, {}, { estimatedCost: RECENT_TAX_LINES_COST });
  const observed: ObservedTaxLines[] = [];
  for (const order of data.orders.nodes) {
    const jurisdiction = order.shippingAddress?.provinceCode ?? null;
    for (const line of [...order.lineItems.nodes, ...order.shippingLines.nodes]) {
      const taxLines: ShopTaxLine[] = line.taxLines.map((t) => ({ title: t.title, rate: Number(t.rate ?? 0) }));
      if (taxLines.length > 0) observed.push({ taxLines, jurisdiction });
    }
  }
  return { observed, orders: data.orders.nodes.length };
}

/** The company's TaxCodes and TaxRates (both listed by query; https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/taxcode). */
export async function readQboTaxTables(qbo: QboClient) {
  const [codes, rates] = [await qbo.query('TaxCode'), await qbo.query('TaxRate')];
  return { taxCodes: codes.map(taxCodeInfo), taxRates: rates.map(taxRateInfo) };
}

function shopifyClientFor(ctx: StoreContext, shopDomain: string, accessToken: string): ShopifyClient {
  return createShopifyClient({
    shopDomain,
    accessToken,
    pacer: ctx.pacer,
    logger: ctx.log,
    timeoutMs: 15_000,
    ...(ctx.shopifyApiBaseUrl ? { apiBaseUrl: ctx.shopifyApiBaseUrl } : {}),
  });
}

/**
 * At connect, for a global-tax company: proposes the map and returns the settings with the unambiguous matches
 * applied (what the merchant gave is kept). A read that fails does not stop the connect: the proposal says so and
 * `GET /stores/:id/tax-mapping` proposes again. US companies (TAX/NON) need no map: the settings are returned as they are.
 */
export async function connectTaxMapping(
  ctx: StoreContext,
  p: { shopDomain: string; shopifyAccessToken: string; qbo: QboClient; settings: Settings },
): Promise<{ settings: Settings; taxMapping: TaxMappingView | null }> {
  if (p.settings.taxMode !== 'global') return { settings: p.settings, taxMapping: null };
  let taxMapping: TaxMappingView;
  try {
    taxMapping = await propose(shopifyClientFor(ctx, p.shopDomain, p.shopifyAccessToken), p.qbo, p.settings);
  } catch (err) {
    ctx.log.warn({ err, shopDomain: p.shopDomain }, 'could not propose a tax mapping at connect');
    return {
      settings: p.settings,
      taxMapping: {
        ...proposeTaxMapping({ taxCodes: [], taxRates: [], observed: [], given: p.settings.taxCodeMap }),
        ordersSampled: 0,
        note: `The tax mapping could not be proposed (${err instanceof Error ? err.message : String(err)}); GET /stores/:id/tax-mapping proposes it again`,
      },
    };
  }
  return { settings: parseSettings({ ...p.settings, taxCodeMap: { ...p.settings.taxCodeMap, ...taxMapping.taxCodeMap } }), taxMapping };
}

async function propose(shopify: ShopifyClient, qbo: QboClient, settings: Settings): Promise<TaxMappingView> {
  const tables = await readQboTaxTables(qbo);
  const { observed, orders } = await observeShopTaxLines(shopify);
  return { ...proposeTaxMapping({ ...tables, observed, given: settings.taxCodeMap }), ordersSampled: orders };
}

/** `GET /stores/:id/tax-mapping`: the proposal against the store's current settings, QBO company and recent orders. */
export async function storeTaxMapping(ctx: StoreContext, row: StoreRow): Promise<TaxMappingView> {
  if (row.state === 'disconnected') {
    throw new HttpError(409, 'store_disconnected', `Store ${row.id} is disconnected; reconnect it to propose a tax mapping`);
  }
  const settings = parseSettings(row.settings);
  if (settings.taxMode !== 'global') {
    throw new HttpError(
      409,
      'tax_mapping_not_needed',
      `Store ${row.id} books US sales tax (taxMode "${settings.taxMode}": lines carry TAX/NON); a tax code map applies to global tax mode only`,
    );
  }
  const withToken = await getStoreWithShopifyToken(ctx.db, { storeId: row.id });
  if (!withToken) throw new HttpError(404, 'not_found', `Store ${row.id} not found`);
  const shopify = shopifyClientFor(ctx, row.shopDomain, ctx.cipher.decrypt(withToken.shopifyTokenEnc));
  let tables;
  try {
    tables = await readQboTaxTables(storeQboClient(ctx, row));
  } catch (err) {
    throw qboHttpError(err, row.qboRealmId, false);
  }
  let seen;
  try {
    seen = await observeShopTaxLines(shopify);
  } catch (err) {
    throw shopifyHttpError(err, row.shopDomain);
  }
  return {
    ...proposeTaxMapping({ ...tables, observed: seen.observed, given: settings.taxCodeMap }),
    ordersSampled: seen.orders,
  };
}
