/**
 * Ledgerline's data on disk — the PGlite database, the Temporal dev server's SQLite file, the generated
 * development secrets — is readable by its owner only (issue #13 defect 9). The databases write their
 * own files with the process umask (often world-readable 0644), so what protects them is their
 * directory: created, or tightened if it exists, as 0700, as PostgreSQL itself demands of its data
 * directory. Secret files are written 0600 and tightened when found looser.
 */
import fs from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) owner-only, and makes an existing `dir` owner-only. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((fs.statSync(dir).mode & 0o777) !== PRIVATE_DIR_MODE) fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Makes an existing file owner-only (read and write). */
export function tightenFile(file: string): void {
  if ((fs.statSync(file).mode & 0o777) !== PRIVATE_FILE_MODE) fs.chmodSync(file, PRIVATE_FILE_MODE);
}
