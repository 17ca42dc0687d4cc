import type { RequestLogEntry } from '../types';

/** The admin API's request log: newest last, bounded so a long-running emulator does not grow without limit. */
const MAX_ENTRIES = 10_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  /** Every request since the last clear by answer status, not bounded like the entries (a fleet run makes far more). */
  private byStatus = new Map<number, number>();

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    this.byStatus.set(entry.status, (this.byStatus.get(entry.status) ?? 0) + 1);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(filter: { realmId?: string | null; limit?: number } = {}): RequestLogEntry[] {
    const rows = filter.realmId ? this.entries.filter((e) => e.realmId === filter.realmId) : this.entries;
    return filter.limit ? rows.slice(-filter.limit) : [...rows];
  }

  /** Requests answered since the last clear, by HTTP status (e.g. `{ 200: 9120, 429: 0 }`). */
  counts(): Record<number, number> {
    return Object.fromEntries(this.byStatus);
  }

  clear(): void {
    this.entries = [];
    this.byStatus = new Map();
  }
}
