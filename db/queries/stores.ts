/**
 * `stores`: reading stores, and every change of a store's state in one place — connect (with its
 * credentials), pause, resume, disconnect, connection health, credentials replaced, settings, the
 * shop's time zone, and what a sync run records on its store (last run, cursor).
 *
 * States: active ⇄ paused (pause/resume); any → disconnected (QBO revoked the grant, or the Shopify app
 * was uninstalled); disconnected → active only through replaced credentials, then resume; any → removed (an
 * operator removed the store: its credentials are deleted, its ledger kept); removed → active only through a new
 * connect of the same shop to the same QBO company (reviveRemovedStore).
 */
import { and, eq, ne, notInArray, sql } from 'drizzle-orm';
import type { Settings } from '../../domain/settings';
import { storeCredentials, stores } from '../schema';
import {
  insertStoreCredentials,
  lockQboRefresh,
  updateStoreCredentials,
  type CredentialColumns,
  type NewStoreCredentials,
} from './credentials';
import type { Executor } from './executor';

export type StoreRow = typeof stores.$inferSelect;
export type NewStore = typeof stores.$inferInsert;
export type StoreState = 'active' | 'paused' | 'disconnected' | 'removed';

// ---- reads -------------------------------------------------------------------------------------

export async function getStore(db: Executor, p: { storeId: string }): Promise<StoreRow | undefined> {
  const [row] = await db.select().from(stores).where(eq(stores.id, p.storeId)).limit(1);
  return row;
}

export async function storeExists(db: Executor, p: { storeId: string }): Promise<boolean> {
  const [row] = await db.select({ id: stores.id }).from(stores).where(eq(stores.id, p.storeId)).limit(1);
  return row !== undefined;
}

/** Every store, by id. */
export function listStores(db: Executor): Promise<StoreRow[]> {
  return db.select().from(stores).orderBy(stores.id);
}

/** Stores whose QBO connection is kept alive: every one neither disconnected nor removed. */
export function listConnectedStores(db: Executor): Promise<Array<{ storeId: string; shopDomain: string }>> {
  return db
    .select({ storeId: stores.id, shopDomain: stores.shopDomain })
    .from(stores)
    .where(notInArray(stores.state, ['disconnected', 'removed']));
}

export async function findStoreByShopDomain(db: Executor, p: { shopDomain: string }): Promise<{ id: string; state: string } | undefined> {
  const [row] = await db.select({ id: stores.id, state: stores.state }).from(stores).where(eq(stores.shopDomain, p.shopDomain)).limit(1);
  return row;
}

export async function getStoreShopDomain(db: Executor, p: { storeId: string }): Promise<string | undefined> {
  const [row] = await db.select({ shopDomain: stores.shopDomain }).from(stores).where(eq(stores.id, p.storeId));
  return row?.shopDomain;
}

/** The store with its Shopify token envelope (what a sync activity needs to call Shopify). */
export async function getStoreWithShopifyToken(
  db: Executor,
  p: { storeId: string },
): Promise<{ store: StoreRow; shopifyTokenEnc: string } | undefined> {
  const [row] = await db
    .select({ store: stores, shopifyTokenEnc: storeCredentials.shopifyAccessTokenEnc })
    .from(stores)
    .innerJoin(storeCredentials, eq(storeCredentials.storeId, stores.id))
    .where(eq(stores.id, p.storeId));
  return row;
}

// ---- state transitions -------------------------------------------------------------------------

/**
 * Connect: the store row and its credentials, both or neither. A store id or shop domain already
 * taken throws PostgreSQL's unique violation (23505).
 */
export async function connectStore(db: Executor, p: { store: NewStore; credentials: NewStoreCredentials }): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(stores).values(p.store);
    await insertStoreCredentials(tx, p.credentials);
  });
}

/**
 * A removed store connected again (same shop, same QBO company): the row takes the new connect's figures and its
 * cursor starts over, so the next run re-reads from the start date and the kept ledger keeps it from booking anything
 * twice. Only while the row is still `removed`; false when another request revived it first.
 */
export async function reviveRemovedStore(db: Executor, p: { store: NewStore; credentials: NewStoreCredentials }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { id, createdAt: _createdAt, ...fields } = p.store;
    const revived = await tx
      .update(stores)
      .set({ ...fields, cursorUpdatedAt: null, lastError: null, connectionError: null })
      .where(and(eq(stores.id, id), eq(stores.state, 'removed')))
      .returning({ id: stores.id });
    if (revived.length === 0) return false;
    await insertStoreCredentials(tx, p.credentials);
    return true;
  });
}

/**
 * Removal (DELETE /stores/:id): the store's credentials are deleted and the row says `removed`; its ledger, runs
 * and payouts stay. False when the store was already removed.
 */
export async function markStoreRemoved(db: Executor, p: { storeId: string; reason: string; at: Date }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const done = await tx
      .update(stores)
      .set({ state: 'removed', connectionError: p.reason, updatedAt: p.at })
      .where(and(eq(stores.id, p.storeId), notInArray(stores.state, ['removed'])))
      .returning({ id: stores.id });
    await tx.delete(storeCredentials).where(eq(storeCredentials.storeId, p.storeId));
    return done.length > 0;
  });
}

/**
 * State changes never apply to a removed store: an activity, the keep-alive or a request that read the store just
 * before its removal (a refresh refused with the revoked token, a resume racing the DELETE) must not bring it back
 * as disconnected or active without credentials.
 */
const notRemoved = (storeId: string) => and(eq(stores.id, storeId), ne(stores.state, 'removed'));

export async function pauseStore(db: Executor, p: { storeId: string; at: Date }): Promise<void> {
  await db.update(stores).set({ state: 'paused', updatedAt: p.at }).where(notRemoved(p.storeId));
}

export async function resumeStore(db: Executor, p: { storeId: string; at: Date }): Promise<void> {
  await db.update(stores).set({ state: 'active', updatedAt: p.at }).where(notRemoved(p.storeId));
}

/** The store stops syncing until its credentials are replaced; `reason` is shown as its connection error. */
export async function disconnectStore(db: Executor, p: { storeId: string; reason: string; at: Date }): Promise<void> {
  await db.update(stores).set({ state: 'disconnected', connectionError: p.reason, updatedAt: p.at }).where(notRemoved(p.storeId));
}

/** A successful QBO token refresh: the connection is healthy (the state is left as it is). */
export async function markConnectionHealthy(db: Executor, p: { storeId: string; at: Date }): Promise<void> {
  await db.update(stores).set({ connectionError: null, updatedAt: p.at }).where(notRemoved(p.storeId));
}

/**
 * New credentials, under the realm's token-refresh lock (a refresh in flight finishes first, and the
 * version bump makes it retry with these tokens rather than overwrite them): the connection error is
 * cleared, and a disconnected store's last error too. The state is not changed here: resume follows.
 */
export async function replaceStoreCredentials(
  db: Executor,
  p: { storeId: string; realmId: string; columns: CredentialColumns; wasDisconnected: boolean; at: Date },
): Promise<void> {
  await db.transaction(async (tx) => {
    await lockQboRefresh(tx, { realmId: p.realmId });
    await updateStoreCredentials(tx, { storeId: p.storeId, columns: p.columns, at: p.at });
    await tx
      .update(stores)
      .set({ connectionError: null, ...(p.wasDisconnected ? { lastError: null } : {}), updatedAt: p.at })
      .where(eq(stores.id, p.storeId));
  });
}

/** Saves validated settings; `startDate` when the settings' start date changed. */
export async function updateStoreSettings(
  db: Executor,
  p: { storeId: string; settings: Settings; startDate?: Date; at: Date },
): Promise<void> {
  await db
    .update(stores)
    .set({
      settings: p.settings,
      ...(p.startDate !== undefined ? { startDate: p.startDate } : {}),
      updatedAt: p.at,
    })
    .where(eq(stores.id, p.storeId));
}

/** The shop's IANA time zone, learnt from Shopify when the row had none. */
export async function setStoreTimezone(db: Executor, p: { storeId: string; timeZone: string }): Promise<void> {
  await db.update(stores).set({ shopTimezone: p.timeZone }).where(eq(stores.id, p.storeId));
}

/**
 * A completed sync run; with `cursorTo`, the cursor moves to it — never backwards: a re-run of an old
 * run must not rewind it.
 */
export async function recordRunCompleted(db: Executor, p: { storeId: string; at: Date; cursorTo?: Date }): Promise<void> {
  await db
    .update(stores)
    .set({
      lastRunAt: p.at,
      lastRunStatus: 'completed',
      lastError: null,
      updatedAt: p.at,
      ...(p.cursorTo !== undefined
        ? { cursorUpdatedAt: sql`greatest(coalesce(${stores.cursorUpdatedAt}, ${p.cursorTo}), ${p.cursorTo})` }
        : {}),
    })
    .where(eq(stores.id, p.storeId));
}

export async function recordRunFailed(db: Executor, p: { storeId: string; at: Date; error: string }): Promise<void> {
  await db
    .update(stores)
    .set({ lastRunAt: p.at, lastRunStatus: 'failed', lastError: p.error, updatedAt: p.at })
    .where(eq(stores.id, p.storeId));
}
