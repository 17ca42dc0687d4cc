// Fault injection per operation (root field name or '*'), drawn from a seeded PRNG so a test run
// is reproducible: server errors, 429s with Retry-After, latency, and commit-then-drop (the
// mutation is applied, then the connection is destroyed before the client gets the response).
import { createRng, type Rng } from './prng';

export interface FaultRule {
  /** Root field name (e.g. 'orders', 'inventorySetQuantities') or '*' for every operation. */
  match: string;
  rate5xx?: number;
  rate429?: number;
  latencyMs?: number;
  /** true (always) or a rate in 0..1. */
  commitThenDrop?: boolean | number;
  /** Retry-After header value for injected 429s, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Inject a fault (5xx, 429 or drop) on at most this many matching requests, then stop. */
  times?: number;
}

export interface FaultDecision {
  latencyMs: number;
  status?: 500 | 429;
  retryAfterSeconds?: number;
  drop: boolean;
}

const rate = (v: boolean | number | undefined): number => (v === true ? 1 : typeof v === 'number' ? v : 0);

export class FaultInjector {
  private rules: Array<FaultRule & { fired: number }> = [];
  private rng: Rng;

  constructor(
    private readonly seed: number,
    rules: FaultRule[] = [],
  ) {
    this.rng = createRng(seed);
    this.add(rules);
  }

  add(rules: FaultRule | FaultRule[]): void {
    for (const r of Array.isArray(rules) ? rules : [rules]) {
      if (typeof r.match !== 'string' || !r.match) throw new Error('A fault rule needs `match` (a root field name or "*")');
      for (const k of ['rate5xx', 'rate429'] as const) {
        const v = r[k];
        if (v !== undefined && (typeof v !== 'number' || v < 0 || v > 1)) throw new Error(`${k} must be a number in 0..1`);
      }
      this.rules.push({ ...r, fired: 0 });
    }
  }

  /** Removes every rule and restarts the PRNG, so the same rules replay the same faults. */
  clear(): void {
    this.rules = [];
    this.rng = createRng(this.seed);
  }

  list(): FaultRule[] {
    return this.rules.map(({ fired: _fired, ...r }) => ({ ...r }));
  }

  decide(rootFields: string[]): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, drop: false };
    for (const rule of this.rules) {
      if (rule.match !== '*' && !rootFields.includes(rule.match)) continue;
      decision.latencyMs = Math.max(decision.latencyMs, rule.latencyMs ?? 0);
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      const before = { status: decision.status, drop: decision.drop };
      if (!decision.status && rate(rule.rate5xx) > 0 && this.rng.chance(rate(rule.rate5xx))) decision.status = 500;
      if (!decision.status && rate(rule.rate429) > 0 && this.rng.chance(rate(rule.rate429))) {
        decision.status = 429;
        decision.retryAfterSeconds = rule.retryAfterSeconds ?? 1;
      }
      if (rate(rule.commitThenDrop) > 0 && this.rng.chance(rate(rule.commitThenDrop))) decision.drop = true;
      if (decision.status !== before.status || decision.drop !== before.drop) rule.fired += 1;
    }
    return decision;
  }
}
