/**
 * Emulator time: the injected base clock plus an offset that the admin API can advance, so tests can
 * expire an access token (1 hour, docs/qbo-facts.md §3) without waiting.
 */
export class EmulatorClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  advance(ms: number): number {
    this.offsetMs += ms;
    return this.now();
  }

  get offset(): number {
    return this.offsetMs;
  }

  set offset(ms: number) {
    this.offsetMs = ms;
  }

  /** The emulator's "today" as QBO writes TxnDate (YYYY-MM-DD, UTC). */
  today(): string {
    return new Date(this.now()).toISOString().slice(0, 10);
  }

  /** QBO's MetaData timestamps carry seconds and an offset, no milliseconds. */
  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, '-00:00');
  }

  /** The `time` attribute of every response (IntuitResponse.time). */
  responseTime(): string {
    return new Date(this.now()).toISOString();
  }
}
