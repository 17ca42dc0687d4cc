/**
 * Resolves what orders' documents point at — product Items (by SKU or name), one Service Item per
 * line category, and customers — to QBO ids, for a whole page of orders at once:
 *   1. the `qbo_refs` cache (PostgreSQL), then
 *   2. a QBO query (`Sku IN (…)`, `Name IN (…)`, `DisplayName = …`, docs/qbo-facts.md §4 "Item", "Customer");
 *      a SKU is matched exactly as Shopify writes it, and one on several Items, or only on an Item whose SKU
 *      differs by case, is reported rather than guessed or created again (domain/mapping matchItemBySku),
 *   3. else a create (batched ≤ 30), when settings allow it.
 * Looking up before creating makes a crash between "QBO created the Item" and "we cached it" harmless:
 * the next attempt finds it by SKU or name. QBO names are unique (6240; Customer/Vendor/Employee
 * DisplayNames share one namespace), so a taken name moves on to the next candidate.
 * Whatever cannot be resolved is left out; the document builder then reports exactly what is missing
 * (NeedsMappingError) and the order is parked until the mapping exists.
 */
import { asText as str, chunk } from '../../domain/collections';
import type { Db } from '../../db/client';
import { findQboRefs, forgetQboRefs, upsertQboRefs } from '../../db/queries/qbo-refs';
import { isLedgerlineError } from '../../domain/errors';
import {
  matchItemBySku,
  type CustomerReference,
  type ItemReference,
  type LineCategory,
  type OrderReferencePlan,
  type ResolvedRefs,
} from '../../domain/mapping';
import { QBO_BATCH_MAX, type QboClient } from '../../integrations/qbo/client';
import { FAULT, faultCode, resolveNameClash } from '../../domain/sync';
import { qboLiteral, queryIn } from './qbo-helpers';

type Entity = Record<string, unknown>;

const REFERENCE_IN_LIST_MAX = 40;

interface Want {
  kind: 'item' | 'category' | 'customer';
  key: string;
  /** How to find an existing entity: QBO entity and where clause builder. */
  entity: 'Item' | 'Customer';
  /** Create bodies in order of preference (name candidates); empty = look up only. */
  creates: Entity[];
  /** Accept an entity found by name (a 6240 clash)? Returns false to try the next candidate. */
  accepts: (found: Entity) => boolean;
}

export interface ResolveOutcome {
  refsFor(plan: OrderReferencePlan): ResolvedRefs;
  /** Why this plan's unresolved references could not be resolved (e.g. QBO rejected the Item). */
  problemsFor(plan: OrderReferencePlan): string[];
  created: number;
}

const refValue = (v: unknown): string => str((v as { value?: unknown } | undefined)?.value);

function itemWant(ref: ItemReference): Want {
  const creates = ref.create ? ref.nameCandidates.map((Name) => ({ ...ref.create!, Name })) : [];
  const sku = ref.key.by === 'sku' ? ref.key.sku : undefined;
  return {
    kind: 'item',
    key: ref.keyId,
    entity: 'Item',
    creates,
    // A same-named Item is ours only if it carries no other SKU (name matching: any same-named Item).
    accepts: (found) => sku === undefined || !str(found.Sku) || str(found.Sku) === sku,
  };
}

function categoryWant(category: LineCategory, name: string, accountId: string): Want {
  return {
    kind: 'category',
    key: `${category}:${accountId}`,
    entity: 'Item',
    creates: [
      { Name: name, Type: 'Service', IncomeAccountRef: { value: accountId }, Description: `${name} (Ledgerline)` },
      {
        Name: `${name} ${accountId}`.slice(0, 100),
        Type: 'Service',
        IncomeAccountRef: { value: accountId },
        Description: `${name} (Ledgerline)`,
      },
    ],
    accepts: (found) => refValue(found.IncomeAccountRef) === accountId,
  };
}

export function customerKey(ref: CustomerReference): string {
  if (ref.kind === 'generic') return `generic:${ref.displayName.toLowerCase()}`;
  if (ref.email) return `email:${ref.email.toLowerCase()}`;
  return `shopify:${ref.shopifyCustomerId ?? ref.displayNameCandidates[0] ?? 'unknown'}`;
}

function customerWant(ref: CustomerReference): Want {
  const key = customerKey(ref);
  if (ref.kind === 'generic') {
    return {
      kind: 'customer',
      key,
      entity: 'Customer',
      creates: [{ DisplayName: ref.displayName }, { DisplayName: `${ref.displayName} (Shopify)` }],
      accepts: () => true,
    };
  }
  const email = ref.email;
  return {
    kind: 'customer',
    key,
    entity: 'Customer',
    creates: ref.displayNameCandidates.map((DisplayName) => ({
      DisplayName,
      ...(ref.givenName ? { GivenName: ref.givenName.slice(0, 100) } : {}),
      ...(ref.familyName ? { FamilyName: ref.familyName.slice(0, 100) } : {}),
      ...(email ? { PrimaryEmailAddr: { Address: email } } : {}),
    })),
    // A same-named customer is this one only when the emails agree (else it is another person).
    accepts: (found) => !email || str((found.PrimaryEmailAddr as Entity | undefined)?.Address).toLowerCase() === email.toLowerCase(),
  };
}

/**
 * Finds existing QBO entities for wants not in the cache: by SKU / name / email, in IN-lists. `blocked` holds
 * the wants that must be neither matched nor created, with why (a SKU on several Items, or only on an Item
 * whose SKU differs by case: domain/mapping matchItemBySku).
 */
async function lookUp(
  qbo: QboClient,
  wants: Want[],
  plans: Map<string, { ref?: ItemReference; customer?: CustomerReference; name?: string }>,
): Promise<{ found: Map<string, string>; blocked: Map<string, string> }> {
  const found = new Map<string, string>();
  const blocked = new Map<string, string>();
  const bySku = new Map<string, Want>();
  const byItemName = new Map<string, Want>();
  const byCustomerEmail = new Map<string, Want>();
  const byDisplayName = new Map<string, Want>();
  for (const w of wants) {
    const p = plans.get(w.key);
    if (w.kind === 'item' && p?.ref?.key.by === 'sku') bySku.set(p.ref.key.sku, w);
    else if (w.kind === 'item' && p?.ref) byItemName.set(p.ref.nameCandidates[0]!.toLowerCase(), w);
    else if (w.kind === 'category' && p?.name) byItemName.set(p.name.toLowerCase(), w);
    else if (w.kind === 'customer' && p?.customer?.kind === 'customer' && p.customer.email)
      byCustomerEmail.set(p.customer.email.toLowerCase(), w);
    else if (w.kind === 'customer' && p?.customer) {
      const name = p.customer.kind === 'generic' ? p.customer.displayName : p.customer.displayNameCandidates[0];
      if (name) byDisplayName.set(name.toLowerCase(), w);
    }
  }
  /** Names are sent as written (QBO may compare case-sensitively) and matched case-insensitively. */
  const asWritten = new Map<string, string>();
  for (const w of wants) {
    const p = plans.get(w.key);
    const name =
      p?.ref?.nameCandidates[0] ??
      p?.name ??
      (p?.customer?.kind === 'generic' ? p.customer.displayName : p?.customer?.displayNameCandidates[0]);
    if (name) asWritten.set(name.toLowerCase(), name);
  }
  const run = async (entity: 'Item' | 'Customer', field: string, index: Map<string, Want>, read: (e: Entity) => string) => {
    const values = [...index.keys()].map((k) => asWritten.get(k) ?? k);
    const rows = await queryIn(qbo, entity, field, values, REFERENCE_IN_LIST_MAX);
    for (const row of rows) {
      const k = read(row).toLowerCase();
      const w = index.get(k);
      if (w && !found.has(w.key) && (w.kind !== 'category' || w.accepts(row)) && row.Active !== false) found.set(w.key, str(row.Id));
    }
  };
  if (bySku.size) {
    // Sent as written; whatever case rule QBO applies, the match is decided exactly (docs/qbo-facts.md §4 "Item SKUs").
    const rows = await queryIn(qbo, 'Item', 'Sku', [...bySku.keys()], REFERENCE_IN_LIST_MAX);
    for (const [sku, w] of bySku) {
      const match = matchItemBySku(rows, sku);
      if (match.action === 'use') found.set(w.key, match.qboId);
      else if (match.action === 'park') blocked.set(w.key, match.reason);
    }
  }
  if (byItemName.size) await run('Item', 'Name', byItemName, (e) => str(e.Name));
  if (byDisplayName.size) await run('Customer', 'DisplayName', byDisplayName, (e) => str(e.DisplayName));
  for (const [email, w] of byCustomerEmail) {
    // PrimaryEmailAddr is filterable with `=` only (no IN), one query per new customer.
    const rows = await qbo.query('Customer', `PrimaryEmailAddr = ${qboLiteral(email)}`);
    const row = rows.find((r) => r.Active !== false);
    if (row) found.set(w.key, str(row.Id));
  }
  return { found, blocked };
}

/**
 * Creates the wants in batches, candidate by candidate: a 6240 on candidate n finds the holder by name
 * (domain/sync resolveNameClash): adopts it when acceptable, reports it when inactive, else tries
 * candidate n+1. Returns ids by key and problems by key.
 */
async function createMissing(qbo: QboClient, wants: Want[]): Promise<{ ids: Map<string, string>; problems: Map<string, string> }> {
  const ids = new Map<string, string>();
  const problems = new Map<string, string>();
  let pending = wants.filter((w) => w.creates.length > 0).map((w) => ({ want: w, candidate: 0 }));
  while (pending.length > 0) {
    const retry: typeof pending = [];
    for (const group of chunk(pending, QBO_BATCH_MAX)) {
      const results = await qbo.batch(
        group.map((p, i) => ({ bId: `r${i}`, operation: 'create' as const, [p.want.entity]: p.want.creates[p.candidate]! })),
      );
      const byId = new Map(results.map((r) => [r.bId, r]));
      for (const [i, p] of group.entries()) {
        const r = byId.get(`r${i}`);
        if (r?.entity) {
          ids.set(p.want.key, str(r.entity.Id));
          continue;
        }
        const fault = r?.fault;
        if (fault && !isLedgerlineError(fault)) throw fault;
        if (fault && !fault.retryable && faultCode(fault) === FAULT.duplicateName) {
          // QBO's 6240 names no Id ("The name supplied already exists. : null", docs/qbo-facts.md §7;
          // https://github.com/ruckus/quickbooks-ruby/blob/master/lib/quickbooks/service/base_service_json.rb):
          // find the holder by name, inactive ones included.
          const field = p.want.entity === 'Item' ? 'Name' : 'DisplayName';
          const name = str(p.want.creates[p.candidate]![field]);
          const rows = await qbo.query(p.want.entity, `${field} = ${qboLiteral(name)} AND Active IN (true, false)`);
          const clash = resolveNameClash(rows, field, name, p.want.accepts);
          if (clash.action === 'adopt') {
            ids.set(p.want.key, clash.qboId);
            continue;
          }
          if (clash.action === 'inactive') {
            problems.set(
              p.want.key,
              `QBO has an inactive ${p.want.entity} "${name}" (Id ${clash.qboId}): make it active in QBO, or rename it, and the next run uses it`,
            );
            continue;
          }
          if (p.candidate + 1 < p.want.creates.length) {
            retry.push({ want: p.want, candidate: p.candidate + 1 });
            continue;
          }
          problems.set(
            p.want.key,
            `every name tried is taken in QBO (${p.want.creates.map((c) => str(c.Name ?? c.DisplayName)).join(', ')})`,
          );
          continue;
        }
        if (fault?.retryable) throw fault;
        problems.set(p.want.key, fault ? fault.message : 'QBO answered the create without the entity');
      }
    }
    pending = retry;
  }
  return { ids, problems };
}

export async function resolveReferences(db: Db, qbo: QboClient, storeId: string, plans: OrderReferencePlan[]): Promise<ResolveOutcome> {
  const wants = new Map<string, Want>();
  const info = new Map<string, { ref?: ItemReference; customer?: CustomerReference; name?: string }>();
  const refKey = (kind: Want['kind'], key: string) => `${kind}|${key}`;
  for (const plan of plans) {
    for (const ref of plan.items) {
      const w = itemWant(ref);
      if (!wants.has(refKey(w.kind, w.key))) {
        wants.set(refKey(w.kind, w.key), w);
        info.set(w.key, { ref });
      }
    }
    for (const c of plan.categories) {
      const w = categoryWant(c.category, c.name, c.accountId);
      if (!wants.has(refKey(w.kind, w.key))) {
        wants.set(refKey(w.kind, w.key), w);
        info.set(w.key, { name: c.name });
      }
    }
    const w = customerWant(plan.customer);
    if (!wants.has(refKey(w.kind, w.key))) {
      wants.set(refKey(w.kind, w.key), w);
      info.set(w.key, { customer: plan.customer });
    }
  }

  const resolved = new Map<string, string>();
  const all = [...wants.values()];
  for (const kind of ['item', 'category', 'customer'] as const) {
    const keys = all.filter((w) => w.kind === kind).map((w) => w.key);
    for (const [key, qboId] of await findQboRefs(db, { storeId, kind, keys })) resolved.set(refKey(kind, key), qboId);
  }

  const missing = all.filter((w) => !resolved.has(refKey(w.kind, w.key)));
  const problems = new Map<string, string>();
  let created = 0;
  if (missing.length > 0) {
    const { found, blocked } = await lookUp(qbo, missing, info);
    const toCreate = missing.filter((w) => !found.has(w.key) && !blocked.has(w.key));
    const made = await createMissing(qbo, toCreate);
    created = made.ids.size;
    const fresh: Array<{ kind: string; key: string; qboId: string }> = [];
    for (const w of missing) {
      const id = found.get(w.key) ?? made.ids.get(w.key);
      if (id) {
        resolved.set(refKey(w.kind, w.key), id);
        fresh.push({ kind: w.kind, key: w.key, qboId: id });
      } else {
        const why =
          blocked.get(w.key) ??
          made.problems.get(w.key) ??
          (w.creates.length === 0 ? 'no matching QBO entity and auto-create is off' : 'not found');
        problems.set(refKey(w.kind, w.key), why);
      }
    }
    await upsertQboRefs(db, { storeId, refs: fresh });
  }

  return {
    created,
    problemsFor(plan) {
      const keys = [
        ...plan.items.map((r) => [refKey('item', r.keyId), r.key.by === 'sku' ? `SKU ${r.key.sku}` : `item "${r.key.name}"`] as const),
        ...plan.categories.map((c) => [refKey('category', `${c.category}:${c.accountId}`), `item "${c.name}"`] as const),
        [refKey('customer', customerKey(plan.customer)), 'customer'] as const,
      ];
      return keys.flatMap(([k, label]) => (problems.has(k) ? [`${label}: ${problems.get(k)!}`] : []));
    },
    refsFor(plan) {
      const items: Record<string, string> = {};
      for (const ref of plan.items) {
        const id = resolved.get(refKey('item', ref.keyId));
        if (id) items[ref.keyId] = id;
      }
      const categoryItems: Partial<Record<LineCategory, string>> = {};
      for (const c of plan.categories) {
        const id = resolved.get(refKey('category', `${c.category}:${c.accountId}`));
        if (id) categoryItems[c.category] = id;
      }
      return { customerId: resolved.get(refKey('customer', customerKey(plan.customer))) ?? '', items, categoryItems };
    },
  };
}

/** Forgets cached ids QBO no longer accepts (an Item made inactive or deleted): the next run resolves again. */
export async function forgetRefs(db: Db, storeId: string, qboIds: string[]): Promise<void> {
  await forgetQboRefs(db, { storeId, qboIds });
}
