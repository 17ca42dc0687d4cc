import { faults } from '../core/faults';
import { applyEffects, reverseEffects } from '../books/ledger';
import type { EntityName } from '../company/company';
import { checkRequired, validateShape } from '../schema/validate';
import type { Entity } from '../types';
import type { Prepared, RuleContext } from './context';
import { depositHolding } from './deposit';
import { lookup } from './refs';
import { RULES } from './registry';

/**
 * Create, read, update (sparse or full), delete and void, the same for every entity: the schema check, then
 * the entity's rules, then the books. Updates, deletes and voids undo the stored document's effects first.
 */
const SERVER_FIELDS = ['Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'status'];

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function strip(name: EntityName, body: Entity): Entity {
  const doc = clone(body);
  for (const field of [...SERVER_FIELDS, ...(RULES[name].computed ?? [])]) delete doc[field];
  return doc;
}

function commit(ctx: RuleContext, name: EntityName, doc: Entity, prepared: Prepared): void {
  ctx.company.put(name, doc);
  if (prepared.effects) applyEffects(ctx.company, `${name}:${doc.Id}`, prepared.effects);
  for (const { key, effects } of prepared.extra ?? []) applyEffects(ctx.company, key, effects);
}

function prepareChecked(ctx: RuleContext, name: EntityName, doc: Entity, previous: Entity | undefined): Prepared {
  RULES[name].derive?.(doc);
  checkRequired(ctx.schema, name, doc);
  return RULES[name].prepare(ctx, doc, previous);
}

/** Stamps and stores a new document once its rules have passed. */
function insert(ctx: RuleContext, name: EntityName, doc: Entity): Entity {
  const prepared = prepareChecked(ctx, name, doc, undefined);
  const now = ctx.clock.timestamp();
  const stamped = { Id: doc.Id, SyncToken: '0', domain: 'QBO', sparse: false, ...doc, MetaData: { CreateTime: now, LastUpdatedTime: now } };
  commit(ctx, name, stamped, prepared);
  return stamped;
}

/**
 * Fault injection's `taxDeltaCents` (emulators/qbo/README.md "Fault injection"): the sent TotalTax, and its
 * first TaxLine so the two still agree, moved by the delta before the rules run. Only a sale that sends a
 * TotalTax is touched.
 */
function withTaxDelta(ctx: RuleContext, key: string, doc: Entity): Entity {
  const detail = doc.TxnTaxDetail as Entity | undefined;
  if (!ctx.taxDelta || typeof detail?.TotalTax !== 'number') return doc;
  const delta = ctx.taxDelta(key);
  if (delta === 0) return doc;
  const move = (amount: unknown): number => Math.round(Number(amount) * 100 + delta) / 100;
  const lines = Array.isArray(detail.TaxLine) ? (detail.TaxLine as Entity[]) : [];
  const [first, ...rest] = lines;
  return {
    ...doc,
    TxnTaxDetail: {
      ...detail,
      TotalTax: move(detail.TotalTax),
      ...(first ? { TaxLine: [{ ...first, Amount: move(first.Amount) }, ...rest] } : {}),
    },
  };
}

export function createEntity(ctx: RuleContext, name: EntityName, body: unknown): Entity {
  if (!RULES[name].create) throw faults.unsupportedOperation(`Operation Create is not supported for ${name}.`);
  validateShape(ctx.schema, name, body);
  const doc = withTaxDelta(ctx, `${name}:create`, strip(name, body as Entity));
  doc.Id = ctx.company.newId();
  return insert(ctx, name, doc);
}

export function readEntity(ctx: RuleContext, name: EntityName, id: string): Entity {
  const doc = lookup(ctx, name, id);
  if (!doc) throw faults.notFound(name, id);
  return doc;
}

/** Id and SyncToken are required; a SyncToken other than the stored one is a 5010 Stale Object Error. */
function current(ctx: RuleContext, name: EntityName, body: Entity): Entity {
  if (body.Id === undefined || body.Id === null || body.Id === '') throw faults.requiredMissing('Id');
  if (body.SyncToken === undefined || body.SyncToken === null || body.SyncToken === '') throw faults.requiredMissing('SyncToken');
  const existing = readEntity(ctx, name, String(body.Id));
  if (String(body.SyncToken) !== String(existing.SyncToken)) {
    throw faults.stale();
  }
  return existing;
}

/** Runs `change` with the stored document's effects undone; if it throws, the effects are put back. */
function withEffectsUndone<T>(ctx: RuleContext, key: string, change: () => T): T {
  const undone = reverseEffects(ctx.company, key);
  try {
    return change();
  } catch (error) {
    if (undone) applyEffects(ctx.company, key, undone);
    throw error;
  }
}

function assertNotLocked(ctx: RuleContext, name: EntityName, id: string, action: string): void {
  const depositId = depositHolding(ctx.company, name, id);
  if (depositId !== undefined)
    throw faults.business(`${name} ${id} is part of Deposit ${depositId}; remove it from the deposit before you ${action} it`);
  if (name === 'Invoice' && (ctx.company.state.applied[id] ?? 0) !== 0) {
    throw faults.business(`Invoice ${id} has payments applied; delete or void the payments before you ${action} it`);
  }
}

/** A journal entry's lines as far as a deposit linking one of them cares: id, side, account and amount. */
function journalLines(doc: Entity): string {
  if (!Array.isArray(doc.Line)) return '';
  return JSON.stringify(
    (doc.Line as Entity[])
      .filter((l) => l.JournalEntryLineDetail)
      .map((l) => [
        String(l.Id),
        l.JournalEntryLineDetail.PostingType,
        String(l.JournalEntryLineDetail.AccountRef?.value),
        String(l.Amount),
      ]),
  );
}

function bump(existing: Entity, doc: Entity, now: string): Entity {
  return {
    ...doc,
    Id: existing.Id,
    SyncToken: String(Number(existing.SyncToken) + 1),
    domain: 'QBO',
    sparse: false,
    MetaData: { ...existing.MetaData, LastUpdatedTime: now },
  };
}

/** Key-order-independent JSON, for telling whether an update changed anything. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The stored document and the updated one hold the same values (server-kept fields aside). */
function sameDocument(a: Entity, b: Entity): boolean {
  const view = (doc: Entity): Entity => {
    const copy = clone(doc);
    for (const field of SERVER_FIELDS) delete copy[field];
    return copy;
  };
  return canonical(view(a)) === canonical(view(b));
}

export function updateEntity(ctx: RuleContext, name: EntityName, body: unknown): Entity {
  const rules = RULES[name];
  if (!rules.update) throw faults.unsupportedOperation(`Operation Update is not supported for ${name}.`);
  validateShape(ctx.schema, name, body);
  const sent = body as Entity;
  const existing = current(ctx, name, sent);
  const key = `${name}:${existing.Id}`;
  if (ctx.company.state.voided[key]) throw faults.business(`${name} ${existing.Id} is voided and cannot be changed`);
  const input = withTaxDelta(ctx, `${name}:update`, strip(name, sent));
  const sparse = sent.sparse === true || sent.sparse === 'true';
  // A sparse update keeps unsent fields; QBO recomputes tax when the lines change and no tax is sent.
  const doc: Entity = sparse ? { ...strip(name, existing), ...input } : input;
  if (sparse && 'Line' in input && !('TxnTaxDetail' in input)) delete doc.TxnTaxDetail;
  // A full update that leaves DocNumber out keeps the stored number (SalesReceipt 17 kept "1008":
  // test/fixtures/qbo-recorded/qbo_api/update/sales_receipt.yml, recorded in a company numbering its forms itself).
  if (!sparse && !('DocNumber' in input) && existing.DocNumber !== undefined) doc.DocNumber = existing.DocNumber;
  doc.Id = existing.Id;
  return withEffectsUndone(ctx, key, () => {
    const prepared = prepareChecked(ctx, name, doc, existing);
    const stored = ctx.company.get(name, String(existing.Id)) as Entity;
    for (const field of rules.carried ?? []) if (stored[field] !== undefined) doc[field] = stored[field];
    if (
      depositHolding(ctx.company, name, String(existing.Id)) !== undefined &&
      (String(doc.TotalAmt) !== String(existing.TotalAmt) ||
        doc.DepositToAccountRef?.value !== existing.DepositToAccountRef?.value ||
        journalLines(doc) !== journalLines(existing))
    ) {
      assertNotLocked(ctx, name, String(existing.Id), 'change the amount or account of');
    }
    // An update that changes nothing keeps SyncToken and LastUpdatedTime: recorded sparse updates setting
    // Active:false on an Account and an Employee that were inactive already answered with the same SyncToken and
    // MetaData (test/fixtures/qbo-recorded/qbo_api/deactivate/account.yml, deactivate/employee.yml). Lines sent
    // without their Id are new lines (new line Ids), so re-sending the same lines is a change (update/sales_receipt.yml).
    const updated = sameDocument(existing, doc)
      ? { ...doc, Id: existing.Id, SyncToken: existing.SyncToken, domain: 'QBO', sparse: false, MetaData: existing.MetaData }
      : bump(existing, doc, ctx.clock.timestamp());
    commit(ctx, name, updated, prepared);
    return updated;
  });
}

export function deleteEntity(ctx: RuleContext, name: EntityName, body: unknown): Entity {
  if (!RULES[name].delete) throw faults.unsupportedOperation(`Operation Delete is not supported for ${name}; make it inactive instead.`);
  const existing = current(ctx, name, (body ?? {}) as Entity);
  const id = String(existing.Id);
  assertNotLocked(ctx, name, id, 'delete');
  reverseEffects(ctx.company, `${name}:${id}`);
  ctx.company.remove(name, id);
  delete ctx.company.state.voided[`${name}:${id}`];
  (ctx.company.state.deletedAt ??= {})[`${name}:${id}`] = ctx.clock.timestamp();
  return { Id: id, status: 'Deleted', domain: 'QBO' };
}

/** A voided transaction keeps its lines with zero amounts, "Voided" as its memo and no effect on the books. */
export function voidEntity(ctx: RuleContext, name: EntityName, body: unknown): Entity {
  if (!RULES[name].void) throw faults.unsupportedOperation(`Operation Void is not supported for ${name}.`);
  const existing = current(ctx, name, (body ?? {}) as Entity);
  const id = String(existing.Id);
  const key = `${name}:${id}`;
  if (ctx.company.state.voided[key]) return existing;
  assertNotLocked(ctx, name, id, 'void');
  reverseEffects(ctx.company, key);
  const doc = clone(existing);
  doc.Line = (doc.Line ?? []).map((line: Entity) => ({ ...line, Amount: 0 }));
  if (name === 'Payment') doc.Line = [];
  if (doc.TxnTaxDetail) doc.TxnTaxDetail = { ...doc.TxnTaxDetail, TotalTax: 0, TaxLine: [] };
  doc.TotalAmt = 0;
  if (doc.Balance !== undefined) doc.Balance = 0;
  if (doc.UnappliedAmt !== undefined) doc.UnappliedAmt = 0;
  doc.PrivateNote = doc.PrivateNote ? `Voided - ${doc.PrivateNote}` : 'Voided';
  ctx.company.state.voided[key] = true;
  const voided = bump(existing, doc, ctx.clock.timestamp());
  ctx.company.put(name, voided);
  return voided;
}

/** Seeding: like create, but keeps the seed's Id and also loads what the API cannot create (tax codes, preferences). */
export function seedEntity(ctx: RuleContext, name: EntityName, body: Entity): Entity {
  validateShape(ctx.schema, name, body);
  const doc = strip(name, body);
  doc.Id = body.Id !== undefined && body.Id !== null ? String(body.Id) : ctx.company.newId();
  ctx.company.reserveId(String(doc.Id));
  return insert(ctx, name, doc);
}
