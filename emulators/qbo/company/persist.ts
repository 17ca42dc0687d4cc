import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TokenState } from '../api/tokens';
import type { CompanyState } from './state';

/** The stateFile: every company, the tokens and the clock offset, written on close and read at start. */
export interface SavedState {
  version: 1;
  companies: CompanyState[];
  tokens: TokenState;
  clockOffsetMs: number;
}

export function readState(file: string): SavedState | undefined {
  if (!existsSync(file)) return undefined;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
  if (saved.version !== 1) throw new Error(`${file}: unsupported QBO emulator state version ${String(saved.version)}`);
  return saved;
}

/** Written to a temporary file first so a crash mid-write never leaves half a state behind. */
export function writeState(file: string, state: SavedState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify(state));
  renameSync(temp, file);
}
