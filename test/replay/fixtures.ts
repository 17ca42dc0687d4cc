/**
 * Recorded workflow histories (test/replay/histories/<set>/): written by scripts/record-histories.ts,
 * replayed by replay.test.ts. Each set has a manifest.json naming its histories; sets are never
 * replaced, only added, so histories of every workflow shape that may still be running stay covered.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type History, historyFromJSON } from './history-json';

export const historiesDir = path.join(__dirname, 'histories');

export interface ManifestEntry {
  file: string;
  scenario: string;
  /** What the history shows. */
  description: string;
  workflowType: string;
  workflowId: string;
  runId: string;
  /** The execution's status when recorded (RUNNING: e.g. a store loop waiting on its timer). */
  status: string;
  events: number;
}

export interface Manifest {
  recordedAt: string;
  /** @temporalio/* version of the worker that recorded the set. */
  sdkVersion: string;
  temporalCli: string;
  histories: ManifestEntry[];
}

export interface Fixture extends ManifestEntry {
  set: string;
  /** `<set>/<file>`, for test names. */
  name: string;
  history: History;
  /** The workflow type named by the history's first event. */
  startedType: string | undefined;
}

export function loadManifest(set: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(historiesDir, set, 'manifest.json'), 'utf8')) as Manifest;
}

export function historySets(): string[] {
  if (!fs.existsSync(historiesDir)) return [];
  return fs
    .readdirSync(historiesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(historiesDir, e.name, 'manifest.json')))
    .map((e) => e.name)
    .sort();
}

export function loadFixtures(): Fixture[] {
  return historySets().flatMap((set) =>
    loadManifest(set).histories.map((entry): Fixture => {
      const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(historiesDir, set, entry.file), 'utf8')));
      const startedType = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
      return { ...entry, set, name: `${set}/${entry.file}`, history, startedType };
    }),
  );
}
