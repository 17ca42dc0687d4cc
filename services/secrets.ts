/**
 * `npm run secrets:reencrypt` (issue #13 item 15): after a new key is prepended to
 * LEDGERLINE_ENCRYPTION_KEYS, rewrites every stored credential under it and reports what still names an
 * older key, so the old key can be dropped once nothing does (README "Configuration": key rotation).
 *
 * Each store's row is rewritten inside the realm's QBO refresh lock (the lock token refreshes take), so a
 * refresh running meanwhile neither overwrites the re-encrypted values nor is overwritten by them; the
 * version bump makes any refresh that read the row before retry with the new envelopes.
 */
import type { Cipher } from '../config/secrets';
import type { Db } from '../db/client';
import {
  getStoreCredentials,
  listCredentialStores,
  lockQboRefresh,
  updateStoreCredentials,
  type CredentialColumns,
} from '../db/queries/credentials';

const ENCRYPTED_COLUMNS = [
  'shopifyAccessTokenEnc',
  'shopifyApiSecretEnc',
  'qboClientSecretEnc',
  'qboAccessTokenEnc',
  'qboRefreshTokenEnc',
] as const;
type EncryptedColumn = (typeof ENCRYPTED_COLUMNS)[number];

export interface ReencryptReport {
  /** The key every value should now name. */
  currentKeyId: string;
  stores: number;
  /** Values rewritten under the current key. */
  reencrypted: number;
  /** Values that already named it. */
  current: number;
  /** Values that still name another key, and why they could not be rewritten (the value is never shown). */
  remaining: Array<{ storeId: string; column: EncryptedColumn; keyId: string; reason: string }>;
}

const keyIdOf = (envelope: string): string => envelope.split('.')[1] ?? '?';

export async function reencryptCredentials(db: Db, cipher: Cipher, clock: () => Date = () => new Date()): Promise<ReencryptReport> {
  const report: ReencryptReport = { currentKeyId: cipher.currentKeyId, stores: 0, reencrypted: 0, current: 0, remaining: [] };
  for (const { storeId, realmId } of await listCredentialStores(db)) {
    report.stores++;
    await db.transaction(async (tx) => {
      await lockQboRefresh(tx, { realmId });
      const row = await getStoreCredentials(tx, { storeId });
      if (!row) return; // the store was deleted meanwhile
      const columns: CredentialColumns = {};
      for (const column of ENCRYPTED_COLUMNS) {
        const envelope = row[column];
        if (envelope === null) continue;
        if (!cipher.isStale(envelope)) {
          report.current++;
          continue;
        }
        try {
          columns[column] = cipher.encrypt(cipher.decrypt(envelope));
          report.reencrypted++;
        } catch (err) {
          report.remaining.push({ storeId, column, keyId: keyIdOf(envelope), reason: err instanceof Error ? err.message : String(err) });
        }
      }
      if (Object.keys(columns).length > 0) await updateStoreCredentials(tx, { storeId, columns, at: clock() });
    });
  }
  return report;
}
