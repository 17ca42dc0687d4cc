/**
 * The undo's activity (contract: workflows/contracts.ts UndoActivities; orchestration: workflows/undo.ts; decisions:
 * domain/sync/undo.ts; docs/undo.md). Behind the store's write lease, so it never runs beside a sync: lists the
 * window's ledger rows, and for each document Ledgerline created reads it from QBO (for its current SyncToken) and
 * deletes it, then marks the row `undone` with when and by which undo. Exactly once: a retried attempt finds the row
 * undone already, and a document QBO no longer holds (an earlier attempt's lost answer, a person's delete) counts as
 * deleted. A stale SyncToken (someone edited it meanwhile) is read again; a delete QBO refuses (a Deposit links the
 * document, a Payment is applied to the invoice) leaves the document and the row alone and says why.
 */
import { upsertLedgerRows } from '../../db/queries';
import { listUndoRows } from '../../db/queries/undo';
import { StoreBusyError } from '../../domain/errors';
import {
  capUndoItems,
  decideUndo,
  interpretDeleteFault,
  nextEntry,
  undoneChanges,
  undoOrder,
  undoOwner,
  type LedgerEntry,
} from '../../domain/sync';
import type { QboClient } from '../../integrations/qbo/client';
import type { UndoActivities, UndoItem, UndoResult } from '../../workflows/contracts';
import type { ActivityDeps } from '../deps';
import { guardedStep, heartbeat } from '../heartbeat';
import { loadStoreContext } from '../sync/context';
import { giveUpWriteLease, LEASE_TTL_MS, takeWriteLease } from '../sync/lease';
import type { SyncActivityOptions } from '../sync';

/** A document re-read after a stale SyncToken this many times at most; one that keeps changing is left to a person. */
const STALE_RETRIES = 3;
/** Well inside the lease's lifetime. */
const LEASE_RENEW_MS = LEASE_TTL_MS / 6;

type DeleteOutcome = { kind: 'deleted' } | { kind: 'gone' } | { kind: 'refused'; reason: string };

/** Reads the document for its SyncToken and deletes it; QBO no longer holding it counts as deleted. */
async function deleteOnce(qbo: QboClient, type: string, id: string): Promise<DeleteOutcome> {
  for (let i = 0; i < STALE_RETRIES; i++) {
    let doc: Record<string, unknown>;
    try {
      doc = await qbo.read(type, id);
    } catch (err) {
      const fault = interpretDeleteFault(err);
      if (fault.kind === 'gone' || fault.kind === 'refused') return fault;
      throw err;
    }
    if (doc.status === 'Deleted') return { kind: 'gone' };
    try {
      await qbo.delete(type, { Id: id, SyncToken: String(doc.SyncToken) });
      return { kind: 'deleted' };
    } catch (err) {
      const fault = interpretDeleteFault(err);
      if (fault.kind === 'gone' || fault.kind === 'refused') return fault;
      if (fault.kind === 'stale') continue;
      throw err;
    }
  }
  return {
    kind: 'refused',
    reason: `The ${type} kept changing in QBO while it was being deleted (stale SyncToken ${STALE_RETRIES} times)`,
  };
}

const itemOf = (row: LedgerEntry, outcome: UndoItem['outcome'], code: string | null, reason: string | null): UndoItem => ({
  sourceKey: row.sourceKey,
  role: row.role,
  sourceName: row.sourceName,
  qboType: row.qboType,
  qboId: row.qboId,
  qboDocNumber: row.qboDocNumber,
  totalMinor: row.qboTotalMinor,
  outcome,
  code,
  reason,
});

export function createUndoActivities(deps: ActivityDeps, pacing: SyncActivityOptions): UndoActivities {
  return {
    async undoApply(input): Promise<UndoResult> {
      const { storeId, undoId } = input;
      return guardedStep(deps, storeId, async () => {
        const lease = await takeWriteLease(deps.db, storeId, deps.clock);
        // Renewed on a timer as well as per row: one row's read and delete may wait on QBO's limits for longer than
        // the lease lives, and a sync must not take the store meanwhile.
        const renewal = setInterval(() => void lease.renew().catch(() => false), LEASE_RENEW_MS);
        try {
          const ctx = await loadStoreContext(deps, storeId, pacing);
          const rows = undoOrder(
            await listUndoRows(deps.db, { storeId, from: new Date(input.from), to: new Date(input.to), kinds: input.kinds }),
          );
          const items: UndoItem[] = [];
          // An order whose Payment or refund stays in QBO keeps its sale too: deleting it would leave them dangling.
          const kept = new Set<string>();
          for (const row of rows) {
            heartbeat();
            if (!(await lease.renew())) throw new StoreBusyError(storeId, 'another run', 5_000);
            const verdict = decideUndo(row);
            if (verdict.action === 'skip') {
              // A Payment or refund Ledgerline did not create stays in QBO: its sale stays with it.
              if (verdict.code === 'not_created_by_ledgerline' && row.role !== 'sale') {
                const owner = undoOwner(row);
                if (owner) kept.add(owner);
              }
              items.push(itemOf(row, 'skipped', verdict.code, verdict.reason));
              continue;
            }
            const parent = undoOwner(row);
            if (verdict.action === 'refuse') {
              if (parent) kept.add(parent);
              items.push(itemOf(row, 'refused', verdict.code, verdict.reason));
              continue;
            }
            if (row.role === 'sale' && kept.has(row.sourceKey)) {
              items.push(
                itemOf(row, 'refused', 'dependent_kept', 'Its Payment or a refund stays in QBO (see those rows), so the sale stays too'),
              );
              continue;
            }
            const done = await deleteOnce(ctx.qbo, verdict.qboType, verdict.qboId);
            if (done.kind === 'refused') {
              if (parent) kept.add(parent);
              items.push(itemOf(row, 'refused', 'qbo_refused', done.reason));
              continue;
            }
            const at = deps.clock();
            await upsertLedgerRows(deps.db, { rows: [nextEntry(row, row, undoneChanges(undoId, at, done.kind === 'gone'), at)] });
            items.push(itemOf(row, done.kind, null, null));
            ctx.log.info(
              {
                storeId,
                undoId,
                sourceKey: row.sourceKey,
                role: row.role,
                qboType: verdict.qboType,
                qboId: verdict.qboId,
                outcome: done.kind,
              },
              'undo',
            );
          }
          const count = (o: UndoItem['outcome']) => items.filter((i) => i.outcome === o).length;
          const listed = capUndoItems(items);
          return {
            undoId,
            from: input.from,
            to: input.to,
            kinds: input.kinds,
            deleted: count('deleted'),
            gone: count('gone'),
            refused: count('refused'),
            skipped: count('skipped'),
            items: listed.items,
            itemsOmitted: listed.omitted,
            finishedAt: deps.clock().toISOString(),
          };
        } finally {
          clearInterval(renewal);
          await giveUpWriteLease(deps.db, storeId);
        }
      });
    },
  };
}
