/**
 * `pending_connects`: QBO tokens a connect or credential replacement rotated before it failed, kept so that a
 * retry does not cost the merchant a re-authorisation (services/stores/qbo-check.ts). One row per shop and
 * realm; every token column is an AES-256-GCM envelope (this module only moves envelopes).
 */
import { and, eq, gt, lte } from 'drizzle-orm';
import { pendingConnects } from '../schema';
import type { Executor } from './executor';

export type PendingConnectRow = typeof pendingConnects.$inferSelect;
export type NewPendingConnect = typeof pendingConnects.$inferInsert;

/** Saves (or replaces) the shop and realm's pending tokens. */
export async function savePendingConnect(db: Executor, row: NewPendingConnect): Promise<void> {
  const { shopDomain: _s, realmId: _r, ...rest } = row;
  await db
    .insert(pendingConnects)
    .values(row)
    .onConflictDoUpdate({ target: [pendingConnects.shopDomain, pendingConnects.realmId], set: rest });
}

/** The shop and realm's pending tokens, unless they expired at or before `at`. */
export async function readPendingConnect(
  db: Executor,
  p: { shopDomain: string; realmId: string; at: Date },
): Promise<PendingConnectRow | undefined> {
  const [row] = await db
    .select()
    .from(pendingConnects)
    .where(and(eq(pendingConnects.shopDomain, p.shopDomain), eq(pendingConnects.realmId, p.realmId), gt(pendingConnects.expiresAt, p.at)));
  return row;
}

/** Forgets the shop and realm's pending tokens (the connect or replacement that needed them succeeded). */
export async function deletePendingConnect(db: Executor, p: { shopDomain: string; realmId: string }): Promise<void> {
  await db.delete(pendingConnects).where(and(eq(pendingConnects.shopDomain, p.shopDomain), eq(pendingConnects.realmId, p.realmId)));
}

/** Deletes every row expired at or before `at`; answers how many. */
export async function prunePendingConnects(db: Executor, p: { at: Date }): Promise<number> {
  const gone = await db
    .delete(pendingConnects)
    .where(lte(pendingConnects.expiresAt, p.at))
    .returning({ shopDomain: pendingConnects.shopDomain });
  return gone.length;
}
