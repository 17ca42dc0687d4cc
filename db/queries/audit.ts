/**
 * `audit_log`: one row per mutating API request that passed authentication, written before the request is
 * carried out (`startAuditEntry`) and completed with its answer (`finishAuditEntry`). Read newest first,
 * by id (`listAuditPage`).
 */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { auditLog } from '../schema';
import type { Executor } from './executor';

export type AuditRow = typeof auditLog.$inferSelect;

export interface NewAuditEntry {
  actorId: string;
  actorLabel: string;
  method: string;
  route: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  storeId: string | null;
  ip: string | null;
  requestId: string | null;
}

export async function startAuditEntry(db: Executor, p: NewAuditEntry): Promise<number> {
  const [row] = await db.insert(auditLog).values(p).returning({ id: auditLog.id });
  return row!.id;
}

export async function finishAuditEntry(
  db: Executor,
  p: { id: number; status: number; body: unknown; storeId?: string | null | undefined; at: Date },
): Promise<void> {
  await db
    .update(auditLog)
    .set({
      status: p.status,
      body: p.body === undefined ? null : p.body,
      finishedAt: p.at,
      ...(p.storeId !== undefined ? { storeId: p.storeId } : {}),
    })
    .where(eq(auditLog.id, p.id));
}

/** A page of the log, newest first: entries with an id below `before` (the previous page's last). */
export function listAuditPage(
  db: Executor,
  p: { storeId?: string | undefined; actorId?: string | undefined; before?: number | undefined; limit: number },
): Promise<AuditRow[]> {
  const where: SQL[] = [];
  if (p.storeId !== undefined) where.push(eq(auditLog.storeId, p.storeId));
  if (p.actorId !== undefined) where.push(eq(auditLog.actorId, p.actorId));
  if (p.before !== undefined) where.push(lt(auditLog.id, p.before));
  return db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(p.limit);
}
