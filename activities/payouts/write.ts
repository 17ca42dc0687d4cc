/**
 * Writing a payout's QBO documents exactly once, and removing them (docs/payouts.md "Writing exactly once",
 * "Compensation"). One ledger row per document (`payout:<gid>`, role `deposit` or `journal`), written `pending`
 * before the create; a pending row means an earlier attempt may have committed unheard, so QBO is searched by the
 * deterministic DocNumber (and the PrivateNote marker that proves the find is this payout's) before any second
 * create. QBO deletes, never voids, a Deposit (docs/qbo-facts.md §4).
 */
import type { Db } from '../../db/client';
import { listLedgerRows, upsertLedgerRows } from '../../db/queries';
import { QboValidationError } from '../../domain/errors';
import { payoutSourceKey, type QboDocumentType } from '../../domain/ledger';
import { fromQboAmount } from '../../domain/money';
import { isPayoutDocument, payoutDocNumber, payoutRequestId, type Payout } from '../../domain/payouts';
import { nextEntry, type LedgerEntry } from '../../domain/sync';
import { FAULT, faultCode } from '../../domain/sync/faults';
import type { QboClient } from '../../integrations/qbo/client';
import { qboLiteral } from '../sync/qbo-helpers';

type Entity = Record<string, unknown>;

export type PayoutRole = 'deposit' | 'journal';
const TYPE_OF: Record<PayoutRole, QboDocumentType> = { deposit: 'Deposit', journal: 'JournalEntry' };
/** Removal order: the Deposit first (it may link the journal entry), then the journal entry. */
export const REMOVAL_ORDER: readonly PayoutRole[] = ['deposit', 'journal'];

export interface PayoutWriteContext {
  db: Db;
  qbo: QboClient;
  storeId: string;
  clock: () => Date;
}

export async function payoutRows(db: Db, storeId: string, payoutGid: string): Promise<Partial<Record<PayoutRole, LedgerEntry>>> {
  const rows = await listLedgerRows(db, { storeId, sourceKeys: [payoutSourceKey(payoutGid)] });
  return Object.fromEntries(rows.map((r) => [r.role, r])) as Partial<Record<PayoutRole, LedgerEntry>>;
}

/** This payout's documents of `role` in QBO, found by DocNumber and proven by the PrivateNote marker. */
async function findInQbo(ctx: PayoutWriteContext, payout: Pick<Payout, 'id' | 'legacyResourceId'>, role: PayoutRole): Promise<Entity[]> {
  const found = await ctx.qbo.query(TYPE_OF[role], `DocNumber = ${qboLiteral(payoutDocNumber(payout.legacyResourceId))}`);
  return found.filter((d) => isPayoutDocument(d, payout.id));
}

function base(storeId: string, payout: Pick<Payout, 'id'>, role: PayoutRole) {
  return { storeId, sourceKey: payoutSourceKey(payout.id), role, sourceType: 'payout' };
}

/**
 * Creates the document once: a synced row's document is read back; a pending row's may exist unheard (found by
 * DocNumber); else the row is written pending and the document created with a deterministic requestid.
 */
export async function writeOnce(
  ctx: PayoutWriteContext,
  payout: Payout,
  role: PayoutRole,
  body: Entity,
  fingerprint: string,
  current: LedgerEntry | undefined,
): Promise<Entity> {
  const type = TYPE_OF[role];
  if (current?.status === 'synced' && current.qboId) return ctx.qbo.read(type, current.qboId);
  if (current?.status === 'pending') {
    const [existing] = await findInQbo(ctx, payout, role);
    if (existing) {
      await record(ctx, payout, role, current, existing, fingerprint);
      return existing;
    }
  }
  const attempt = (current?.attempts ?? 0) + 1;
  const requestId = payoutRequestId(payout.id, role, body, attempt);
  const pending = nextEntry(
    base(ctx.storeId, payout, role),
    current,
    {
      status: 'pending',
      sourceName: `Payout ${payout.legacyResourceId}`,
      sourceUpdatedAt: new Date(payout.issuedAt),
      qboType: type,
      qboId: null,
      qboDocNumber: payoutDocNumber(payout.legacyResourceId),
      fingerprint,
      requestId,
      attempts: attempt,
      reason: null,
      reasonCode: null,
    },
    ctx.clock(),
  );
  await upsertLedgerRows(ctx.db, { rows: [pending] });
  const created = await ctx.qbo.create(type, body, { requestId });
  await record(ctx, payout, role, pending, created, fingerprint);
  return created;
}

async function record(ctx: PayoutWriteContext, payout: Payout, role: PayoutRole, current: LedgerEntry, doc: Entity, fingerprint: string) {
  const total = typeof doc.TotalAmt === 'number' ? fromQboAmount(doc.TotalAmt, payout.net.currency).minor : null;
  await upsertLedgerRows(ctx.db, {
    rows: [
      nextEntry(
        base(ctx.storeId, payout, role),
        current,
        {
          status: 'synced',
          qboType: TYPE_OF[role],
          qboId: String(doc.Id),
          qboSyncToken: typeof doc.SyncToken === 'string' ? doc.SyncToken : null,
          qboDocNumber: typeof doc.DocNumber === 'string' ? doc.DocNumber : payoutDocNumber(payout.legacyResourceId),
          qboTotalMinor: total,
          sourceTotalMinor: payout.net.minor,
          fingerprint,
        },
        ctx.clock(),
      ),
    ],
  });
}

/** Reads and deletes one document with its current SyncToken; one QBO no longer has counts as removed. */
async function deleteDocument(ctx: PayoutWriteContext, type: QboDocumentType, id: string): Promise<void> {
  let doc: Entity;
  try {
    doc = await ctx.qbo.read(type, id);
  } catch (err) {
    if (faultCode(err) === FAULT.notFound || (err instanceof QboValidationError && /not found|deleted/i.test(err.message))) return;
    throw err;
  }
  await ctx.qbo.delete(type, doc);
}

/**
 * Removes everything the saga wrote for the payout, Deposit first, and marks the rows voided with the reason. Finds
 * unheard creates too (pending rows), so a post interrupted anywhere leaves nothing behind.
 */
export async function removePayoutDocuments(ctx: PayoutWriteContext, payout: Pick<Payout, 'id' | 'legacyResourceId'>, reason: string) {
  const rows = await payoutRows(ctx.db, ctx.storeId, payout.id);
  for (const role of REMOVAL_ORDER) {
    const row = rows[role];
    if (!row || row.status === 'voided') continue;
    const ids = new Set<string>();
    if (row.qboId) ids.add(row.qboId);
    if (row.status === 'pending') for (const d of await findInQbo(ctx, payout, role)) ids.add(String(d.Id));
    for (const id of ids) await deleteDocument(ctx, TYPE_OF[role], id);
    await upsertLedgerRows(ctx.db, {
      rows: [nextEntry(base(ctx.storeId, payout, role), row, { status: 'voided', reason, reasonCode: 'payout_removed' }, ctx.clock())],
    });
  }
}
