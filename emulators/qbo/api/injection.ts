import { createRng } from '../core/prng';
import type { FaultRule } from '../types';

/**
 * Fault injection per endpoint with a seeded PRNG, so a failing run replays exactly. The first rule that
 * matches the request's key ("SalesReceipt:create", "Invoice:query", "batch", "report:TrialBalance",
 * "token") decides; `times` caps how often a rule fires.
 */
export interface Decision {
  latencyMs: number;
  answer: 'ok' | '429' | '5xx' | 'drop';
  status5xx: number;
}

interface ActiveRule extends FaultRule {
  fired: number;
}

function matches(pattern: string, key: string): boolean {
  const p = pattern.toLowerCase();
  const k = key.toLowerCase();
  if (p === '*' || p === k) return true;
  const [pe = '', po = ''] = p.split(':');
  const [ke = '', ko = ''] = k.split(':');
  return (pe === '*' || pe === ke) && (po === '*' || po === ko);
}

const chance = (rate: number | boolean | undefined, roll: () => number): boolean =>
  rate === true || (typeof rate === 'number' && rate > 0 && roll() < rate);

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private roll: () => number;

  constructor(seed: number, rules: FaultRule[] = []) {
    this.roll = createRng(seed);
    this.add(rules);
  }

  add(rules: FaultRule[]): void {
    this.rules.push(...rules.map((r) => ({ ...r, fired: 0 })));
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  reseed(seed: number): void {
    this.roll = createRng(seed);
  }

  /** The tax delta a `taxDeltaCents` rule applies to this document ("SalesReceipt:create"), if one matches. */
  taxDelta(key: string): number {
    const rule = this.rules.find(
      (r) => r.taxDeltaCents !== undefined && matches(r.match, key) && (r.times === undefined || r.fired < r.times),
    );
    if (!rule) return 0;
    rule.fired += 1;
    return rule.taxDeltaCents ?? 0;
  }

  decide(key: string): Decision {
    const rule = this.rules.find(
      (r) => r.taxDeltaCents === undefined && matches(r.match, key) && (r.times === undefined || r.fired < r.times),
    );
    const decision: Decision = { latencyMs: 0, answer: 'ok', status5xx: rule?.status5xx ?? 503 };
    if (!rule) return decision;
    decision.latencyMs = rule.latencyMs ?? 0;
    if (chance(rule.rate429, this.roll)) decision.answer = '429';
    else if (chance(rule.rate5xx, this.roll)) decision.answer = '5xx';
    else if (chance(rule.commitThenDrop, this.roll)) decision.answer = 'drop';
    if (decision.answer !== 'ok' || decision.latencyMs > 0) rule.fired += 1;
    return decision;
  }
}
