import type { RequestLogEntry } from '../types';

/** The admin API's request log: newest last, bounded so a long-running emulator does not grow without limit. */
const MAX_ENTRIES = 10_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(filter: { realmId?: string | null; limit?: number } = {}): RequestLogEntry[] {
    const rows = filter.realmId ? this.entries.filter((e) => e.realmId === filter.realmId) : this.entries;
    return filter.limit ? rows.slice(-filter.limit) : [...rows];
  }

  clear(): void {
    this.entries = [];
  }
}
