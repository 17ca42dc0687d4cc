/**
 * `oauth_states`, `qbo_grants` and `shopify_grants`: the single-use nonces of OAuth `state` values and the QBO and
 * Shopify tokens a completed callback left for POST /stores (services/oauth/). Token columns are AES-256-GCM envelopes; this module only
 * moves envelopes.
 */
import { and, eq, isNull, lte } from 'drizzle-orm';
import { oauthStates, qboGrants, shopifyGrants } from '../schema';
import type { Executor } from './executor';

export type OAuthStateRow = typeof oauthStates.$inferSelect;
export type QboGrantRow = typeof qboGrants.$inferSelect;
export type NewQboGrant = typeof qboGrants.$inferInsert;
export type ShopifyGrantRow = typeof shopifyGrants.$inferSelect;
export type NewShopifyGrant = typeof shopifyGrants.$inferInsert;

export async function insertOAuthState(
  db: Executor,
  row: { nonce: string; shopDomain: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db.insert(oauthStates).values(row);
}

/**
 * Marks the nonce used if it was not yet; answers the row as it was before (undefined: no such nonce). The
 * update and the check are one statement, so two callbacks with the same state cannot both pass.
 */
export async function consumeOAuthState(
  db: Executor,
  p: { nonce: string; at: Date },
): Promise<{ consumed: true; row: OAuthStateRow } | { consumed: false; row: OAuthStateRow | undefined }> {
  const [row] = await db
    .update(oauthStates)
    .set({ usedAt: p.at })
    .where(and(eq(oauthStates.nonce, p.nonce), isNull(oauthStates.usedAt)))
    .returning();
  if (row) return { consumed: true, row };
  const [existing] = await db.select().from(oauthStates).where(eq(oauthStates.nonce, p.nonce)).limit(1);
  return { consumed: false, row: existing };
}

/** Drops states that expired at or before `before` (a used or lapsed state refuses the same either way). */
export async function pruneOAuthStates(db: Executor, p: { before: Date }): Promise<void> {
  await db.delete(oauthStates).where(lte(oauthStates.expiresAt, p.before));
}

export async function insertQboGrant(db: Executor, row: NewQboGrant): Promise<void> {
  await db.insert(qboGrants).values(row);
}

export async function getQboGrant(db: Executor, p: { id: string }): Promise<QboGrantRow | undefined> {
  const [row] = await db.select().from(qboGrants).where(eq(qboGrants.id, p.id)).limit(1);
  return row;
}

export async function deleteQboGrant(db: Executor, p: { id: string }): Promise<void> {
  await db.delete(qboGrants).where(eq(qboGrants.id, p.id));
}

/** Drops grants whose refresh token expired at or before `at`: nothing can be connected with them any more. */
export async function pruneQboGrants(db: Executor, p: { at: Date }): Promise<void> {
  await db.delete(qboGrants).where(lte(qboGrants.qboRefreshTokenExpiresAt, p.at));
}

export async function insertShopifyGrant(db: Executor, row: NewShopifyGrant): Promise<void> {
  await db.insert(shopifyGrants).values(row);
}

export async function getShopifyGrant(db: Executor, p: { id: string }): Promise<ShopifyGrantRow | undefined> {
  const [row] = await db.select().from(shopifyGrants).where(eq(shopifyGrants.id, p.id)).limit(1);
  return row;
}

export async function deleteShopifyGrant(db: Executor, p: { id: string }): Promise<void> {
  await db.delete(shopifyGrants).where(eq(shopifyGrants.id, p.id));
}

/** Drops Shopify grants nobody used before their expiry. */
export async function pruneShopifyGrants(db: Executor, p: { at: Date }): Promise<void> {
  await db.delete(shopifyGrants).where(lte(shopifyGrants.expiresAt, p.at));
}
