/**
 * Undo (issue #17, docs/undo.md): POST /stores/:id/undo and GET /stores/:id/undo/:undoId, and the console's "Undo a
 * window". A preview lists, from the ledger, every document Ledgerline created in QBO for the window's sources and
 * what the undo would do with each (domain/sync decideUndo), and writes nothing. An apply starts workflows/undo.ts,
 * whose id is a hash of the store and the request (window and kinds): the same request while one runs attaches to it,
 * and the same request again later starts a run that finds everything undone already and does nothing.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { listUndoRows } from '../../db/queries/undo';
import type { StoreRow } from '../../db/queries/stores';
import { stableHashHex } from '../../domain/hash';
import { moneyFromMinor, toDecimalString } from '../../domain/money';
import { decideUndo, undoOrder, UNDO_KINDS, type UndoKind } from '../../domain/sync';
import type { UndoInput, UndoResult } from '../../workflows/contracts';
import { workflowIds } from '../../workflows/definitions';
import type { undoWorkflow } from '../../workflows/undo';
import { badRequest, conflict, notFound } from '../errors';
import { EARLIEST_RESYNC } from './control';
import { type StoreContext, temporalClient, temporalUnavailable } from './context';

const CALL_TIMEOUT_MS = 10_000;

export interface UndoBody {
  from: string;
  to: string;
  mode: 'preview' | 'apply';
  kinds?: UndoKind[];
}

export interface UndoRequest {
  undoId: string;
  from: string;
  to: string;
  kinds: UndoKind[];
}

/** Said with every preview and result: what an undo never touches. */
export const UNDO_NOTES = [
  'Payout Deposits and fee journals are not undone (the payout saga owns them); an order or refund whose document a posted Deposit links cannot be deleted in QBO until the Deposit is removed: QBO refuses, and the document is reported refused and left as it is.',
  'An order brings its sale document, its invoice Payment and all its refunds; a refund in the window comes alone.',
  'Undone documents are deleted from QBO (not voided) and their ledger rows marked undone: no sync books them again. To book a source again, redo it: Redo in the console’s Undone section, or POST /stores/:id/documents/:sourceKey/unignore.',
];

function instantOf(field: 'from' | 'to', value: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badRequest(`${field} must be an ISO date-time, got ${JSON.stringify(value)}`, { field: `body.${field}` });
  return t;
}

/** The request from the API's body: bounded like a resync's window (real instants, from before to, none in the future). */
export function undoRequest(ctx: StoreContext, store: StoreRow, body: UndoBody): UndoRequest {
  const now = ctx.clock().getTime();
  const f = instantOf('from', body.from);
  const t = instantOf('to', body.to);
  if (f < EARLIEST_RESYNC) {
    throw badRequest(`from (${body.from}) is before ${new Date(EARLIEST_RESYNC).toISOString()}, the earliest a window may start`, {
      field: 'body.from',
    });
  }
  if (f >= now) throw badRequest(`from (${body.from}) is in the future; an undo covers the past`, { field: 'body.from' });
  if (f >= t) throw badRequest(`from (${body.from}) must be before to (${body.to})`, { field: 'body.to' });
  if (t > now) throw badRequest(`to (${body.to}) is in the future; an undo covers the past`, { field: 'body.to' });
  const asked = body.kinds ?? [...UNDO_KINDS];
  const kinds = UNDO_KINDS.filter((k) => asked.includes(k));
  const from = new Date(f).toISOString();
  const to = new Date(t).toISOString();
  return { undoId: `u-${stableHashHex(`${store.id}|${from}|${to}|${kinds.join(',')}`)}`, from, to, kinds };
}

const money = (minor: number | null, currency: string | null) =>
  minor === null || currency === null ? null : toDecimalString(moneyFromMinor(minor, currency));

export interface UndoPreviewItem {
  sourceKey: string;
  role: string;
  sourceName: string | null;
  status: string;
  qboType: string | null;
  qboId: string | null;
  qboDocNumber: string | null;
  total: string | null;
  action: 'delete' | 'skip' | 'refuse';
  code: string | null;
  reason: string | null;
}

export interface UndoPreview extends UndoRequest {
  mode: 'preview';
  currency: string | null;
  counts: { delete: number; skip: number; refuse: number };
  items: UndoPreviewItem[];
  notes: string[];
}

/** What an apply of this request would do, from the ledger alone; writes nothing. */
export async function previewUndo(ctx: StoreContext, store: StoreRow, req: UndoRequest): Promise<UndoPreview> {
  const rows = undoOrder(
    await listUndoRows(ctx.db, { storeId: store.id, from: new Date(req.from), to: new Date(req.to), kinds: req.kinds }),
  );
  const items = rows.map((row): UndoPreviewItem => {
    const v = decideUndo(row);
    return {
      sourceKey: row.sourceKey,
      role: row.role,
      sourceName: row.sourceName,
      status: row.status,
      qboType: row.qboType,
      qboId: row.qboId,
      qboDocNumber: row.qboDocNumber,
      total: money(row.qboTotalMinor, store.shopCurrency),
      action: v.action,
      code: v.action === 'delete' ? null : v.code,
      reason: v.action === 'delete' ? null : v.reason,
    };
  });
  const count = (a: UndoPreviewItem['action']) => items.filter((i) => i.action === a).length;
  return {
    ...req,
    mode: 'preview',
    currency: store.shopCurrency,
    counts: { delete: count('delete'), skip: count('skip'), refuse: count('refuse') },
    items,
    notes: UNDO_NOTES,
  };
}

export type UndoStatus =
  | { undoId: string; status: 'running'; statusUrl: string }
  | { undoId: string; status: 'completed'; statusUrl: string; result: UndoResult }
  | { undoId: string; status: 'failed'; statusUrl: string; error: string };

const statusUrl = (store: StoreRow, undoId: string) => `/stores/${store.id}/undo/${undoId}`;

/** Starts the undo (or finds the one this request already started) and waits up to `waitSeconds` for its result. */
export async function applyUndo(ctx: StoreContext, store: StoreRow, req: UndoRequest, waitSeconds: number): Promise<UndoStatus> {
  if (store.state === 'disconnected') {
    throw conflict(`Store ${store.id} is disconnected: replace its credentials before undoing (an undo deletes documents in QBO)`);
  }
  const client = await temporalClient(ctx);
  const input: UndoInput = { storeId: store.id, undoId: req.undoId, from: req.from, to: req.to, kinds: req.kinds };
  const workflowId = workflowIds.undo(store.shopDomain, req.undoId);
  try {
    await client.withDeadline(Date.now() + CALL_TIMEOUT_MS, () =>
      client.workflow.start<typeof undoWorkflow>('undoWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [input] }),
    );
    ctx.log.info({ storeId: store.id, undoId: req.undoId, from: req.from, to: req.to, kinds: req.kinds }, 'undo started');
  } catch (err) {
    // The same request is running: answer with that one.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw temporalUnavailable(err, 'start the undo');
  }
  return undoStatus(ctx, store, req.undoId, waitSeconds);
}

/** GET /stores/:id/undo/:undoId: running, or its result (the latest run of this request's workflow). */
export async function undoStatus(ctx: StoreContext, store: StoreRow, undoId: string, waitSeconds: number): Promise<UndoStatus> {
  const client = await temporalClient(ctx);
  const handle = client.workflow.getHandle<typeof undoWorkflow>(workflowIds.undo(store.shopDomain, undoId));
  const url = statusUrl(store, undoId);
  let timer: NodeJS.Timeout | undefined;
  try {
    const described = await client.withDeadline(Date.now() + CALL_TIMEOUT_MS, () => handle.describe());
    if (described.status.name === 'RUNNING') {
      const result = await Promise.race([
        handle.result(),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), waitSeconds * 1000);
        }),
      ]);
      if (result === null) return { undoId, status: 'running', statusUrl: url };
      return { undoId, status: 'completed', statusUrl: url, result };
    }
    return { undoId, status: 'completed', statusUrl: url, result: await handle.result() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound(`Undo ${undoId} of store ${store.id}`);
    if (err instanceof WorkflowFailedError) {
      const cause =
        err.cause instanceof Error ? (err.cause.cause instanceof Error ? err.cause.cause.message : err.cause.message) : err.message;
      return { undoId, status: 'failed', statusUrl: url, error: cause };
    }
    throw temporalUnavailable(err, 'read the undo');
  } finally {
    clearTimeout(timer);
  }
}
