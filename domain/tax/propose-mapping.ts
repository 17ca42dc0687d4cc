/**
 * Proposes `settings.taxCodeMap` for a company in QBO's global tax model (UK/AU VAT and GST, Canada GST/HST/PST/QST)
 * from the QBO company's own TaxCode and TaxRate entities and the tax lines the shop's orders carry, so that a
 * merchant does not have to look QBO ids up by hand (docs/tax-mapping.md).
 *
 * A Shopify tax line is a title and a rate (a proportion: 0.05); a QBO TaxRate has `RateValue` (a percentage: 5) and
 * a TaxCode lists the TaxRates it charges on sales in `SalesTaxRateList.TaxRateDetail[].TaxRateRef`
 * (https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/taxcode,
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/taxrate). Matching is by rate
 * first, names only break ties: a match is applied only when exactly one active QBO entity fits; several that fit
 * equally are listed as candidates for a person to choose, and a rate the company lacks is reported with its value.
 * Pure: no I/O, the same inputs always give the same proposal.
 */
import { rateKey, taxLineKey } from '../settings';

export interface QboTaxRateInfo {
  id: string;
  name: string;
  /** QBO `RateValue`: a percentage (5 for 5 %). */
  ratePercent: number;
  active: boolean;
}

export interface QboTaxCodeInfo {
  id: string;
  name: string;
  description: string;
  active: boolean;
  /** Ids of the TaxRates the code charges on sales (SalesTaxRateList); empty for exempt / out-of-scope codes. */
  salesRateIds: string[];
}

export interface ShopTaxLine {
  title: string;
  /** A proportion, as Shopify reports it (0.05 for 5 %). */
  rate: number;
}

/** The tax lines seen together on one Shopify line item or shipping line, and where it was shipped. */
export interface ObservedTaxLines {
  taxLines: ShopTaxLine[];
  /** A region hint such as Shopify's province code ("BC", "ON"); only used to break ties between names. */
  jurisdiction?: string | null;
}

export interface TaxCodeMapShape {
  codes: { taxLines: ShopTaxLine[]; taxCodeId: string }[];
  rates: { title: string; rate: number; taxRateId: string }[];
  exemptTaxCodeId?: string;
}

/** given: already in the settings; matched: applied; ambiguous: several fit, a person chooses; unmapped: none fits. */
export type ProposalStatus = 'given' | 'matched' | 'ambiguous' | 'unmapped';

export interface Candidate {
  id: string;
  name: string;
}

export interface ProposedCode {
  taxLines: ShopTaxLine[];
  status: ProposalStatus;
  taxCodeId?: string;
  taxCodeName?: string;
  candidates: Candidate[];
  reason?: string;
}

export interface ProposedRate {
  title: string;
  rate: number;
  status: ProposalStatus;
  taxRateId?: string;
  taxRateName?: string;
  candidates: Candidate[];
  reason?: string;
}

export interface ProposedExempt {
  status: ProposalStatus;
  taxCodeId?: string;
  taxCodeName?: string;
  candidates: Candidate[];
  reason?: string;
}

export interface TaxMappingProposal {
  codes: ProposedCode[];
  rates: ProposedRate[];
  exempt: ProposedExempt;
  /** The settings' map plus every unambiguous match: what the store books with. */
  taxCodeMap: TaxCodeMapShape;
  /** True when every observed tax line and combination has a QBO code and rate, and untaxed lines have one too. */
  complete: boolean;
}

export interface ProposeInput {
  taxRates: QboTaxRateInfo[];
  taxCodes: QboTaxCodeInfo[];
  observed: ObservedTaxLines[];
  /** The map the merchant gave (or the store has); its entries are kept and never replaced. */
  given?: Partial<TaxCodeMapShape>;
}

const percent = (rate: number): string => rateKey(rate * 100);
const describe = (t: ShopTaxLine): string => `"${t.title}" ${percent(t.rate)}%`;
const tokens = (s: string): Set<string> =>
  new Set(
    s
      .toUpperCase()
      .split(/[^A-Z0-9]+/)
      .filter(Boolean),
  );
const comboKey = (lines: readonly ShopTaxLine[]): string =>
  lines
    .map((t) => taxLineKey(t.title, t.rate))
    .sort()
    .join('+');
const candidate = (e: { id: string; name: string }): Candidate => ({ id: e.id, name: e.name });

/** How many words of the hints appear in the entity's name (and description): the tie-breaker. */
function nameScore(hints: string[], ...names: string[]): number {
  const have = new Set(names.flatMap((n) => [...tokens(n)]));
  return [...new Set(hints.flatMap((h) => [...tokens(h)]))].filter((t) => have.has(t)).length;
}

/** The single best fit by name, or undefined when the best score is shared (or nothing scores). */
function bestByName<T>(items: T[], score: (item: T) => number): T | undefined {
  const scored = items.map((item) => ({ item, score: score(item) }));
  const top = Math.max(0, ...scored.map((s) => s.score));
  if (top === 0) return undefined;
  const best = scored.filter((s) => s.score === top);
  return best.length === 1 ? best[0]!.item : undefined;
}

/** Shopify's zero-rate lines tax nothing and are booked with the exempt code (domain/mapping/tax.ts effectiveTaxes). */
const taxing = (lines: readonly ShopTaxLine[]): ShopTaxLine[] => lines.filter((t) => t.rate > 0);

export function proposeTaxMapping(input: ProposeInput): TaxMappingProposal {
  const activeCodes = input.taxCodes.filter((c) => c.active);
  const rateById = new Map(input.taxRates.filter((r) => r.active).map((r) => [r.id, r]));
  // Rates some active code charges on sales: purchase-only rates (reverse charge, input tax) are never candidates.
  const salesRateIds = new Set(activeCodes.flatMap((c) => c.salesRateIds).filter((id) => rateById.has(id)));
  const salesRates = [...rateById.values()].filter((r) => salesRateIds.size === 0 || salesRateIds.has(r.id));
  const given = {
    codes: input.given?.codes ?? [],
    rates: input.given?.rates ?? [],
    exemptTaxCodeId: input.given?.exemptTaxCodeId,
  };
  const givenCodes = new Map(given.codes.map((c) => [comboKey(c.taxLines), c.taxCodeId]));
  const givenRates = new Map(given.rates.map((r) => [taxLineKey(r.title, r.rate), r.taxRateId]));

  // The distinct combinations and single lines observed, each with the region hints seen with it.
  const combos = new Map<string, { taxLines: ShopTaxLine[]; hints: Set<string> }>();
  const lines = new Map<string, { line: ShopTaxLine; hints: Set<string> }>();
  for (const seen of input.observed) {
    const effective = taxing(seen.taxLines);
    if (effective.length === 0) continue;
    const key = comboKey(effective);
    const combo = combos.get(key) ?? { taxLines: effective.map((t) => ({ title: t.title.trim(), rate: t.rate })), hints: new Set() };
    if (seen.jurisdiction) combo.hints.add(seen.jurisdiction);
    combos.set(key, combo);
    for (const t of effective) {
      const lineKey = taxLineKey(t.title, t.rate);
      const entry = lines.get(lineKey) ?? { line: { title: t.title.trim(), rate: t.rate }, hints: new Set() };
      if (seen.jurisdiction) entry.hints.add(seen.jurisdiction);
      lines.set(lineKey, entry);
    }
  }

  const rates = new Map<string, ProposedRate>();
  for (const [key, { line, hints }] of lines) {
    const givenId = givenRates.get(key);
    if (givenId) {
      rates.set(key, { ...line, status: 'given', taxRateId: givenId, candidates: [] });
      continue;
    }
    const fits = salesRates.filter((r) => rateKey(r.ratePercent) === percent(line.rate));
    const chosen = fits.length === 1 ? fits[0] : bestByName(fits, (r) => nameScore([line.title, ...hints], r.name));
    rates.set(
      key,
      chosen
        ? { ...line, status: 'matched', taxRateId: chosen.id, taxRateName: chosen.name, candidates: fits.map(candidate) }
        : fits.length === 0
          ? {
              ...line,
              status: 'unmapped',
              candidates: [],
              reason: `The QBO company has no active sales tax rate of ${percent(line.rate)}% for Shopify's tax line ${describe(line)}; add it in QBO (Taxes → Sales tax settings) or map it by hand`,
            }
          : {
              ...line,
              status: 'ambiguous',
              candidates: fits.map(candidate),
              reason: `${fits.length} QBO tax rates are ${percent(line.rate)}% (${fits.map((r) => `${r.id} "${r.name}"`).join(', ')}); choose the one for Shopify's tax line ${describe(line)}`,
            },
    );
  }

  const codes: ProposedCode[] = [];
  for (const [key, { taxLines, hints }] of combos) {
    const givenId = givenCodes.get(key);
    if (givenId) {
      codes.push({ taxLines, status: 'given', taxCodeId: givenId, candidates: [] });
      continue;
    }
    const wanted = taxLines.map((t) => percent(t.rate)).sort();
    const fits = activeCodes.filter((c) => {
      const have = c.salesRateIds.map((id) => rateById.get(id));
      if (have.some((r) => r === undefined)) return false;
      const values = have.map((r) => rateKey(r!.ratePercent)).filter((v) => v !== '0');
      return values.length === wanted.length && values.sort().every((v, i) => v === wanted[i]);
    });
    // Codes built from the very rates matched for these lines come first.
    const rateIds = taxLines.map((t) => rates.get(taxLineKey(t.title, t.rate))?.taxRateId);
    const consistent = rateIds.every((id) => id !== undefined)
      ? fits.filter((c) => rateIds.every((id) => c.salesRateIds.includes(id!)))
      : [];
    const pool = consistent.length > 0 ? consistent : fits;
    const chosen =
      pool.length === 1 ? pool[0] : bestByName(pool, (c) => nameScore([...taxLines.map((t) => t.title), ...hints], c.name, c.description));
    const what = taxLines.map(describe).join(' + ');
    if (chosen) {
      codes.push({ taxLines, status: 'matched', taxCodeId: chosen.id, taxCodeName: chosen.name, candidates: fits.map(candidate) });
    } else if (fits.length === 0) {
      codes.push({
        taxLines,
        status: 'unmapped',
        candidates: [],
        reason: `The QBO company has no active tax code charging exactly ${wanted.map((v) => `${v}%`).join(' + ')} on sales, for Shopify's tax lines ${what}; add one in QBO or map it by hand`,
      });
    } else {
      codes.push({
        taxLines,
        status: 'ambiguous',
        candidates: pool.map(candidate),
        reason: `${pool.length} QBO tax codes charge ${wanted.map((v) => `${v}%`).join(' + ')} (${pool.map((c) => `${c.id} "${c.name}"`).join(', ')}); choose the one for Shopify's tax lines ${what}`,
      });
    }
  }

  // A rate left ambiguous is settled by the matched codes that carry it, when they agree on one rate of that value.
  for (const [key, proposed] of rates) {
    if (proposed.status !== 'ambiguous') continue;
    const carriers = codes.filter((c) => c.taxCodeId && c.taxLines.some((t) => taxLineKey(t.title, t.rate) === key));
    const ids = new Set(
      carriers.flatMap((c) =>
        (activeCodes.find((code) => code.id === c.taxCodeId)?.salesRateIds ?? []).filter(
          (id) => rateKey(rateById.get(id)?.ratePercent ?? -1) === percent(proposed.rate),
        ),
      ),
    );
    if (ids.size !== 1) continue;
    const id = [...ids][0]!;
    const { reason: _settled, ...rest } = proposed;
    rates.set(key, { ...rest, status: 'matched', taxRateId: id, taxRateName: rateById.get(id)?.name ?? '' });
  }

  const exempt = proposeExempt(activeCodes, rateById, given.exemptTaxCodeId);
  const rateList = [...rates.values()];
  const taxCodeMap: TaxCodeMapShape = {
    codes: [...given.codes, ...codes.filter((c) => c.status === 'matched').map((c) => ({ taxLines: c.taxLines, taxCodeId: c.taxCodeId! }))],
    rates: [
      ...given.rates,
      ...rateList.filter((r) => r.status === 'matched').map((r) => ({ title: r.title, rate: r.rate, taxRateId: r.taxRateId! })),
    ],
    ...(exempt.taxCodeId && exempt.status !== 'ambiguous' ? { exemptTaxCodeId: exempt.taxCodeId } : {}),
  };
  const settled = (s: ProposalStatus) => s === 'given' || s === 'matched';
  return {
    codes,
    rates: rateList,
    exempt,
    taxCodeMap,
    complete: codes.every((c) => settled(c.status)) && rateList.every((r) => settled(r.status)) && settled(exempt.status),
  };
}

/**
 * The code for lines nothing taxes (tips, gift cards, duties, zero-rated goods): an active code that charges no rate
 * and is named exempt (Canada and UK "Exempt"), else one whose only rate is 0 % and is named zero-rated or free
 * (UK "0.0% Z", AU "GST free").
 */
function proposeExempt(codes: QboTaxCodeInfo[], rateById: Map<string, QboTaxRateInfo>, givenId: string | undefined): ProposedExempt {
  if (givenId) return { status: 'given', taxCodeId: givenId, candidates: [] };
  const noRate = codes.filter((c) => c.salesRateIds.length === 0 && /exempt/i.test(`${c.name} ${c.description}`));
  const zero = codes.filter(
    (c) =>
      c.salesRateIds.length > 0 &&
      c.salesRateIds.every((id) => rateById.get(id)?.ratePercent === 0) &&
      /zero|free|\b0(\.0)?%/i.test(`${c.name} ${c.description}`),
  );
  for (const pool of [noRate, zero]) {
    if (pool.length === 1)
      return { status: 'matched', taxCodeId: pool[0]!.id, taxCodeName: pool[0]!.name, candidates: [candidate(pool[0]!)] };
    if (pool.length > 1) {
      return {
        status: 'ambiguous',
        candidates: pool.map(candidate),
        reason: `${pool.length} QBO tax codes could book untaxed lines (${pool.map((c) => `${c.id} "${c.name}"`).join(', ')}); choose one as taxCodeMap.exemptTaxCodeId`,
      };
    }
  }
  return {
    status: 'unmapped',
    candidates: [],
    reason:
      'The QBO company has no active exempt or zero-rated tax code for untaxed lines; add one in QBO or set taxCodeMap.exemptTaxCodeId',
  };
}

/** Reads the QBO entities' fields the proposal needs (TaxRate.RateValue, TaxCode.SalesTaxRateList). */
export function taxRateInfo(e: Record<string, unknown>): QboTaxRateInfo {
  return {
    id: String(e.Id),
    name: String(e.Name ?? ''),
    ratePercent: Number(e.RateValue ?? 0),
    active: e.Active !== false,
  };
}

export function taxCodeInfo(e: Record<string, unknown>): QboTaxCodeInfo {
  const list = (e.SalesTaxRateList as { TaxRateDetail?: { TaxRateRef?: { value?: unknown } }[] } | undefined)?.TaxRateDetail ?? [];
  return {
    id: String(e.Id),
    name: String(e.Name ?? ''),
    description: String(e.Description ?? ''),
    active: e.Active !== false && e.Hidden !== true,
    salesRateIds: list.map((d) => String(d.TaxRateRef?.value ?? '')).filter((id) => id !== ''),
  };
}
