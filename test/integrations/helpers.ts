/** Shared set-up for the integration-client tests: a cipher, a silent logger and a stored store. */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { createCipher, type Cipher } from '../../config/secrets';
import type { Db } from '../../db/client';
import { storeCredentials, stores } from '../../db/schema';
import type { Settings } from '../../domain/settings';

export const logger = pino({ level: 'silent' });

export function testCipher(): Cipher {
  return createCipher(`test:${randomBytes(32).toString('base64')}`);
}

export interface StoredStore {
  storeId: string;
  realmId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessToken?: string;
  accessTokenExpiresAt?: Date;
}

/** Inserts a store and its encrypted credentials, as the connect flow would. */
export async function insertStore(db: Db, cipher: Cipher, s: StoredStore): Promise<void> {
  await db.insert(stores).values({
    id: s.storeId,
    shopDomain: `${s.storeId}.myshopify.com`,
    qboRealmId: s.realmId,
    settings: {} as Settings,
    startDate: new Date('2026-01-01T00:00:00Z'),
  });
  await db.insert(storeCredentials).values({
    storeId: s.storeId,
    shopifyAccessTokenEnc: cipher.encrypt('shpat_unused'),
    qboClientId: s.clientId,
    qboClientSecretEnc: cipher.encrypt(s.clientSecret),
    qboRefreshTokenEnc: cipher.encrypt(s.refreshToken),
    qboAccessTokenEnc: s.accessToken ? cipher.encrypt(s.accessToken) : null,
    qboAccessTokenExpiresAt: s.accessTokenExpiresAt ?? null,
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads a store's credentials row as stored (envelopes, not plaintext). */
export async function credentialsRow(db: Db, storeId: string) {
  const [row] = await db.select().from(storeCredentials).where(eq(storeCredentials.storeId, storeId));
  if (!row) throw new Error(`no credentials for ${storeId}`);
  return row;
}
