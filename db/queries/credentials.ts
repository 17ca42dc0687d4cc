/**
 * `store_credentials`: every secret column holds an AES-256-GCM envelope (config/secrets.ts); this module
 * only moves envelopes, it never encrypts or decrypts. A QBO token refresh and a credential replacement
 * serialise per realm on one advisory transaction lock (lockQboRefresh) and bump `version`, the
 * optimistic lock a refresh writes under.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { pendingConnects, qboGrants, shopifyGrants, storeCredentials, stores } from '../schema';
import type { Executor, Tx } from './executor';

export type StoreCredentialsRow = typeof storeCredentials.$inferSelect;
export type NewStoreCredentials = typeof storeCredentials.$inferInsert;

/** Columns a credential replacement writes (the Shopify token alone, or everything). */
export type CredentialColumns = Partial<Omit<NewStoreCredentials, 'storeId' | 'version' | 'updatedAt'>>;

/** What the QBO token provider reads: the realm and the QBO envelopes, with the row's version. */
export interface QboCredentials {
  realmId: string;
  clientId: string;
  clientSecretEnc: string;
  accessTokenEnc: string | null;
  accessTokenExpiresAt: Date | null;
  refreshTokenEnc: string;
  refreshTokenExpiresAt: Date | null;
  version: number;
}

/** The new QBO token envelopes a refresh writes. */
export interface RefreshedQboTokens {
  accessTokenEnc: string;
  accessTokenExpiresAt: Date;
  refreshTokenEnc: string;
  refreshTokenExpiresAt: Date | null;
  at: Date;
}

/** Holds the realm's refresh lock until the transaction ends (works in PostgreSQL and PGlite). */
export async function lockQboRefresh(tx: Tx, p: { realmId: string }): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`qbo-refresh:${p.realmId}`}))`);
}

export async function readQboCredentials(db: Executor, p: { storeId: string }): Promise<QboCredentials | undefined> {
  const [row] = await db
    .select({
      realmId: stores.qboRealmId,
      clientId: storeCredentials.qboClientId,
      clientSecretEnc: storeCredentials.qboClientSecretEnc,
      accessTokenEnc: storeCredentials.qboAccessTokenEnc,
      accessTokenExpiresAt: storeCredentials.qboAccessTokenExpiresAt,
      refreshTokenEnc: storeCredentials.qboRefreshTokenEnc,
      refreshTokenExpiresAt: storeCredentials.qboRefreshTokenExpiresAt,
      version: storeCredentials.version,
    })
    .from(storeCredentials)
    .innerJoin(stores, eq(stores.id, storeCredentials.storeId))
    .where(eq(storeCredentials.storeId, p.storeId))
    .limit(1);
  return row;
}

/**
 * Writes refreshed QBO tokens if the row is still at `expectedVersion`; answers the new version, or
 * undefined when another writer (a reconnect) changed the row meanwhile.
 */
export async function writeRefreshedQboTokens(
  db: Executor,
  p: { storeId: string; expectedVersion: number; tokens: RefreshedQboTokens },
): Promise<number | undefined> {
  const { tokens: t } = p;
  const written = await db
    .update(storeCredentials)
    .set({
      qboAccessTokenEnc: t.accessTokenEnc,
      qboAccessTokenExpiresAt: t.accessTokenExpiresAt,
      qboRefreshTokenEnc: t.refreshTokenEnc,
      qboRefreshTokenExpiresAt: t.refreshTokenExpiresAt,
      version: sql`${storeCredentials.version} + 1`,
      refreshedAt: t.at,
      updatedAt: t.at,
    })
    .where(and(eq(storeCredentials.storeId, p.storeId), eq(storeCredentials.version, p.expectedVersion)))
    .returning({ version: storeCredentials.version });
  return written[0]?.version;
}

export async function getStoreCredentials(db: Executor, p: { storeId: string }): Promise<StoreCredentialsRow | undefined> {
  const [row] = await db.select().from(storeCredentials).where(eq(storeCredentials.storeId, p.storeId));
  return row;
}

export async function insertStoreCredentials(db: Executor, row: NewStoreCredentials): Promise<void> {
  await db.insert(storeCredentials).values(row);
}

/** Replaces credential columns and bumps the version (an in-flight refresh then retries with these). */
export async function updateStoreCredentials(db: Executor, p: { storeId: string; columns: CredentialColumns; at: Date }): Promise<void> {
  await db
    .update(storeCredentials)
    .set({ ...p.columns, version: sql`${storeCredentials.version} + 1`, updatedAt: p.at })
    .where(eq(storeCredentials.storeId, p.storeId));
}

/**
 * The QBO token provider's store (integrations/qbo/tokens.ts QboCredentialStore), over `db`: reads,
 * and a transaction holding the realm's refresh lock in which the row is re-read and written.
 */
export function qboCredentialStore(db: Db) {
  return {
    read: (storeId: string) => readQboCredentials(db, { storeId }),
    withRefreshLock: <T>(
      realmId: string,
      body: (locked: {
        read(storeId: string): Promise<QboCredentials | undefined>;
        writeRefreshed(storeId: string, expectedVersion: number, tokens: RefreshedQboTokens): Promise<number | undefined>;
      }) => Promise<T>,
    ): Promise<T> =>
      db.transaction(async (tx) => {
        await lockQboRefresh(tx, { realmId });
        return body({
          read: (storeId) => readQboCredentials(tx, { storeId }),
          writeRefreshed: (storeId, expectedVersion, tokens) => writeRefreshedQboTokens(tx, { storeId, expectedVersion, tokens }),
        });
      }),
  };
}

/** Every store with credentials and its QBO realm (the key of the refresh lock), by store id. */
export function listCredentialStores(db: Executor): Promise<Array<{ storeId: string; realmId: string }>> {
  return db
    .select({ storeId: storeCredentials.storeId, realmId: stores.qboRealmId })
    .from(storeCredentials)
    .innerJoin(stores, eq(stores.id, storeCredentials.storeId))
    .orderBy(storeCredentials.storeId);
}

/**
 * Secrets held outside `store_credentials` while a connect is in progress: tokens a failed connect rotated
 * (`pending_connects`) and tokens an OAuth callback obtained (`qbo_grants`, `shopify_grants`). Key rotation rewrites these too, so
 * an older key can be dropped without breaking a connect a merchant is half-way through.
 */
export type StagedSecretTable = 'pending_connects' | 'qbo_grants' | 'shopify_grants';

export interface StagedSecret {
  table: StagedSecretTable;
  /** The row: `<shop> <realm>` for pending_connects, the grant id for the grants. */
  id: string;
  column: string;
  envelope: string;
}

export async function listStagedSecrets(db: Executor): Promise<StagedSecret[]> {
  const out: StagedSecret[] = [];
  for (const r of await db.select().from(pendingConnects).orderBy(pendingConnects.shopDomain, pendingConnects.realmId)) {
    const id = `${r.shopDomain} ${r.realmId}`;
    out.push({ table: 'pending_connects', id, column: 'qboAccessTokenEnc', envelope: r.qboAccessTokenEnc });
    out.push({ table: 'pending_connects', id, column: 'qboRefreshTokenEnc', envelope: r.qboRefreshTokenEnc });
  }
  for (const r of await db.select().from(qboGrants).orderBy(qboGrants.id)) {
    out.push({ table: 'qbo_grants', id: r.id, column: 'qboAccessTokenEnc', envelope: r.qboAccessTokenEnc });
    out.push({ table: 'qbo_grants', id: r.id, column: 'qboRefreshTokenEnc', envelope: r.qboRefreshTokenEnc });
  }
  for (const r of await db.select().from(shopifyGrants).orderBy(shopifyGrants.id)) {
    out.push({ table: 'shopify_grants', id: r.id, column: 'shopifyAccessTokenEnc', envelope: r.shopifyAccessTokenEnc });
  }
  return out;
}

/**
 * Compare-and-set one staged envelope: written only if the row still holds `from`, so a connect that replaced or
 * used the row meanwhile wins. Returns whether it was written.
 */
export async function replaceStagedSecret(db: Executor, s: StagedSecret & { to: string }): Promise<boolean> {
  if (s.table === 'shopify_grants') {
    if (s.column !== 'shopifyAccessTokenEnc') throw new Error(`shopify_grants has no staged secret column ${s.column}`);
    const done = await db
      .update(shopifyGrants)
      .set({ shopifyAccessTokenEnc: s.to })
      .where(and(eq(shopifyGrants.id, s.id), eq(shopifyGrants.shopifyAccessTokenEnc, s.envelope)))
      .returning({ id: shopifyGrants.id });
    return done.length > 0;
  }
  const column = s.column === 'qboAccessTokenEnc' ? 'qboAccessTokenEnc' : s.column === 'qboRefreshTokenEnc' ? 'qboRefreshTokenEnc' : null;
  if (column === null) throw new Error(`${s.table} has no staged secret column ${s.column}`);
  if (s.table === 'pending_connects') {
    const [shopDomain, realmId] = s.id.split(' ');
    const done = await db
      .update(pendingConnects)
      .set({ [column]: s.to })
      .where(
        and(
          eq(pendingConnects.shopDomain, shopDomain ?? ''),
          eq(pendingConnects.realmId, realmId ?? ''),
          eq(pendingConnects[column], s.envelope),
        ),
      )
      .returning({ realmId: pendingConnects.realmId });
    return done.length > 0;
  }
  const done = await db
    .update(qboGrants)
    .set({ [column]: s.to })
    .where(and(eq(qboGrants.id, s.id), eq(qboGrants[column], s.envelope)))
    .returning({ id: qboGrants.id });
  return done.length > 0;
}
