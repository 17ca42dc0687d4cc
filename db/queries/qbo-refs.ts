/** `qbo_refs`: the cache of QBO ids Ledgerline resolved (items by SKU/name, category items, customers). */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { qboRefs } from '../schema';
import { chunk } from '../../domain/collections';
import type { Executor } from './executor';

export type QboRefRow = typeof qboRefs.$inferSelect;

/** Cached ids of `kind` for `keys`, by key. */
export async function findQboRefs(db: Executor, p: { storeId: string; kind: string; keys: string[] }): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunk(p.keys, 500)) {
    const rows = await db
      .select({ key: qboRefs.key, qboId: qboRefs.qboId })
      .from(qboRefs)
      .where(and(eq(qboRefs.storeId, p.storeId), eq(qboRefs.kind, p.kind), inArray(qboRefs.key, part)));
    for (const row of rows) out.set(row.key, row.qboId);
  }
  return out;
}

/** Caches resolved ids (a key seen again takes the new id). */
export async function upsertQboRefs(
  db: Executor,
  p: { storeId: string; refs: Array<{ kind: string; key: string; qboId: string }> },
): Promise<void> {
  for (const part of chunk(p.refs, 500)) {
    await db
      .insert(qboRefs)
      .values(part.map((f) => ({ storeId: p.storeId, ...f })))
      .onConflictDoUpdate({
        target: [qboRefs.storeId, qboRefs.kind, qboRefs.key],
        set: { qboId: sql`excluded.qbo_id`, updatedAt: sql`now()` },
      });
  }
}

/** Forgets every cached reference to these QBO ids. */
export async function forgetQboRefs(db: Executor, p: { storeId: string; qboIds: string[] }): Promise<void> {
  if (p.qboIds.length === 0) return;
  await db.delete(qboRefs).where(and(eq(qboRefs.storeId, p.storeId), inArray(qboRefs.qboId, p.qboIds)));
}

export function listQboRefs(db: Executor, p: { storeId: string }): Promise<QboRefRow[]> {
  return db.select().from(qboRefs).where(eq(qboRefs.storeId, p.storeId));
}
