/**
 * The tax mapping routes (docs/tax-mapping.md): `GET /stores/:id/tax-mapping` proposes `settings.taxCodeMap` from
 * the QBO company's TaxCodes and TaxRates and the shop's recent tax lines, for a person to confirm;
 * `POST /stores/:id/tax-mapping/apply` adds its unambiguous matches to the settings. Ambiguous entries are
 * chosen with `PUT /stores/:id/settings` (taxCodeMap), from the candidates the proposal lists.
 */
import type { FastifyInstance } from 'fastify';
import { parseSettings } from '../../domain/settings';
import type { StoreContext } from '../../services/stores/context';
import { updateSettings } from '../../services/stores/control';
import { storeTaxMapping, type TaxMappingView } from '../../services/stores/tax-mapping';
import { operateStore, readStore } from '../access';
import { errorResponses, idParams } from './schemas';
import { taxMappingSchema } from './tax-mapping-schema';
import { loadStore } from './views';

const pick = (codes: (keyof typeof errorResponses)[]) => Object.fromEntries([...codes, 403].map((c) => [c, errorResponses[c as 403]]));

/** Matched entries the apply just wrote read as given. */
const asGiven = <T extends { status: string }>(entry: T): T => (entry.status === 'matched' ? { ...entry, status: 'given' } : entry);

export async function taxMappingRoutes(ctx: StoreContext, app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/stores/:id/tax-mapping',
    {
      config: { access: readStore },
      schema: {
        tags: ['stores'],
        summary: "Propose the store's tax code map (global tax mode) from its QBO tax codes and rates and its recent orders' tax lines",
        params: idParams,
        response: { 200: taxMappingSchema, ...pick([401, 404, 409, 422, 502, 503]) },
      },
    },
    async (req) => storeTaxMapping(ctx, await loadStore(ctx, req.params.id)),
  );

  app.post<{ Params: { id: string } }>(
    '/stores/:id/tax-mapping/apply',
    {
      config: { access: operateStore },
      schema: {
        tags: ['stores'],
        summary: "Add the proposal's unambiguous matches to settings.taxCodeMap (what is there already is kept)",
        params: idParams,
        response: { 200: taxMappingSchema, ...pick([400, 401, 404, 409, 422, 502, 503]) },
      },
    },
    async (req): Promise<TaxMappingView> => {
      const row = await loadStore(ctx, req.params.id);
      const proposal = await storeTaxMapping(ctx, row);
      const current = parseSettings(row.settings);
      await updateSettings(ctx, row, { taxCodeMap: { ...current.taxCodeMap, ...proposal.taxCodeMap } });
      return { ...proposal, codes: proposal.codes.map(asGiven), rates: proposal.rates.map(asGiven), exempt: asGiven(proposal.exempt) };
    },
  );
}
