/**
 * Credentials at rest: AES-256-GCM with a random 96-bit IV per value and a key id in the envelope, so
 * keys can rotate: `LEDGERLINE_ENCRYPTION_KEYS="new:<b64>,old:<b64>"` encrypts with `new`, still
 * decrypts `old` values; `npm run secrets:reencrypt` rewrites every value under the first key.
 * Envelope: `v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>`.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './index';
import { PRIVATE_FILE_MODE, ensurePrivateDir, tightenFile } from './private-files';

export interface Cipher {
  encrypt(plain: string): string;
  decrypt(envelope: string): string;
  /** Id of the key new values are encrypted with. */
  readonly currentKeyId: string;
  /** True when the envelope was written with an older key (re-encrypt it). */
  isStale(envelope: string): boolean;
}

export function parseKeys(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const idx = part.indexOf(':');
    if (idx <= 0) throw new Error('LEDGERLINE_ENCRYPTION_KEYS: each entry must be keyId:base64key');
    const id = part.slice(0, idx);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error(`LEDGERLINE_ENCRYPTION_KEYS: bad key id "${id}" (letters, digits, _ and -)`);
    const key = Buffer.from(part.slice(idx + 1), 'base64');
    if (key.length !== 32) throw new Error(`LEDGERLINE_ENCRYPTION_KEYS: key "${id}" must be 32 bytes base64-encoded (got ${key.length})`);
    if (keys.has(id)) throw new Error(`LEDGERLINE_ENCRYPTION_KEYS: duplicate key id "${id}"`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new Error('LEDGERLINE_ENCRYPTION_KEYS is empty');
  return keys;
}

export function createCipher(spec: string): Cipher {
  const keys = parseKeys(spec);
  const [currentKeyId, currentKey] = [...keys.entries()][0]!;
  return {
    currentKeyId,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', currentKey, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', currentKeyId, iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    decrypt(envelope) {
      const [v, keyId, iv, tag, ct] = envelope.split('.');
      if (v !== 'v1' || !keyId || !iv || !tag || ct === undefined) throw new Error('not a Ledgerline secret envelope');
      const key = keys.get(keyId);
      if (!key) throw new Error(`secret was encrypted with key "${keyId}", which is not in LEDGERLINE_ENCRYPTION_KEYS`);
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    },
    isStale(envelope) {
      return envelope.split('.')[1] !== currentKeyId;
    },
  };
}

interface DevSecrets {
  apiToken: string;
  encryptionKeys: string;
}

/**
 * Development convenience: when the API token or encryption keys are not configured (and only outside
 * production, which loadConfig enforces), generate them once into `<dataDir>/dev-secrets.json` (mode
 * 0600) so `npm start` works on embedded defaults and restarts can still decrypt stored credentials.
 */
export function resolveSecrets(config: Config): { apiToken: string; encryptionKeys: string; generated: boolean } {
  if (config.api.token && config.encryptionKeys) {
    return { apiToken: config.api.token, encryptionKeys: config.encryptionKeys, generated: false };
  }
  const file = path.join(config.dataDir, 'dev-secrets.json');
  let stored: DevSecrets | undefined;
  ensurePrivateDir(config.dataDir);
  if (fs.existsSync(file)) {
    tightenFile(file);
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as DevSecrets;
  }
  if (!stored) {
    stored = {
      apiToken: randomBytes(24).toString('base64url'),
      encryptionKeys: `dev1:${randomBytes(32).toString('base64')}`,
    };
    fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: PRIVATE_FILE_MODE });
  }
  return {
    apiToken: config.api.token ?? stored.apiToken,
    encryptionKeys: config.encryptionKeys ?? stored.encryptionKeys,
    generated: true,
  };
}

/**
 * The key that signs OAuth `state` values (services/oauth/state.ts): LEDGERLINE_OAUTH_STATE_KEY when set, else
 * derived (HKDF-SHA256) from the current encryption key, so no further secret has to be managed and a key rotation
 * only voids the states of connects in flight (10 minutes at most).
 */
export function oauthStateKey(configured: string | undefined, encryptionKeys: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const [, key] = [...parseKeys(encryptionKeys).entries()][0]!;
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'ledgerline oauth state v1', 32));
}
