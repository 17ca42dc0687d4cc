/**
 * `api_tokens`: the scoped API tokens (`npm run tokens`). Rows hold the SHA-256 of a token, never the
 * token; the comparison with a presented token is the caller's (api/tokens.ts, in constant time).
 */
import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import { apiTokens } from '../schema';
import type { Executor } from './executor';

export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type ApiTokenScope = 'read' | 'operate';

export async function insertApiToken(
  db: Executor,
  p: { id: string; label: string; storeId: string | null; scope: ApiTokenScope; secretHash: string },
): Promise<ApiTokenRow> {
  const [row] = await db.insert(apiTokens).values(p).returning();
  return row!;
}

export async function getApiToken(db: Executor, p: { id: string }): Promise<ApiTokenRow | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, p.id)).limit(1);
  return row;
}

/** Every token, revoked ones included, oldest first. */
export function listApiTokens(db: Executor): Promise<ApiTokenRow[]> {
  return db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

/** Revokes a token; undefined when there is no such token, the row (revokedAt as it was) otherwise. */
export async function revokeApiToken(
  db: Executor,
  p: { id: string; at: Date },
): Promise<{ row: ApiTokenRow; alreadyRevoked: boolean } | undefined> {
  const [updated] = await db
    .update(apiTokens)
    .set({ revokedAt: p.at })
    .where(and(eq(apiTokens.id, p.id), isNull(apiTokens.revokedAt)))
    .returning();
  if (updated) return { row: updated, alreadyRevoked: false };
  const row = await getApiToken(db, { id: p.id });
  return row ? { row, alreadyRevoked: true } : undefined;
}

/** Records a use, unless one was recorded after `unlessAfter` (one write a minute per token at most). */
export async function touchApiToken(db: Executor, p: { id: string; at: Date; unlessAfter: Date }): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: p.at })
    .where(and(eq(apiTokens.id, p.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, p.unlessAfter))));
}
