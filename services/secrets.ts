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
  listStagedSecrets,
  lockQboRefresh,
  replaceStagedSecret,
  updateStoreCredentials,
  type CredentialColumns,
  type StagedSecretTable,
} from '../db/queries/credentials';

const ENCRYPTED_COLUMNS = [
  'shopifyAccessTokenEnc',
  'shopifyApiSecretEnc',
  'shopifyApiSecretPreviousEnc',
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
  /**
   * Secrets of connects in progress (tokens a failed connect rotated, OAuth grants not yet used): rewritten the
   * same way; what could not be is in `remaining` with its table and row.
   */
  staged: { reencrypted: number; current: number };
  remainingStaged: Array<{ table: StagedSecretTable; id: string; column: string; keyId: string; reason: string }>;
}

const keyIdOf = (envelope: string): string => envelope.split('.')[1] ?? '?';

export async function reencryptCredentials(db: Db, cipher: Cipher, clock: () => Date = () => new Date()): Promise<ReencryptReport> {
  const report: ReencryptReport = {
    currentKeyId: cipher.currentKeyId,
    stores: 0,
    reencrypted: 0,
    current: 0,
    remaining: [],
    staged: { reencrypted: 0, current: 0 },
    remainingStaged: [],
  };
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
  for (const staged of await listStagedSecrets(db)) {
    if (!cipher.isStale(staged.envelope)) {
      report.staged.current++;
      continue;
    }
    const where = { table: staged.table, id: staged.id, column: staged.column, keyId: keyIdOf(staged.envelope) };
    let to: string;
    try {
      to = cipher.encrypt(cipher.decrypt(staged.envelope));
    } catch (err) {
      report.remainingStaged.push({ ...where, reason: err instanceof Error ? err.message : String(err) });
      continue;
    }
    // Written only if unchanged: a connect that used or replaced the row meanwhile wrote under the current key or
    // removed it; either way nothing older is left in that cell.
    if (await replaceStagedSecret(db, { ...staged, to })) report.staged.reencrypted++;
  }
  return report;
}
