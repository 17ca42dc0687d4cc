import type { EmulatorClock } from '../core/clock';
import type { Company } from '../company/company';
import type { Effects } from '../company/state';
import type { QboSchema } from '../schema/schema';
import type { Entity } from '../types';

export interface RuleContext {
  company: Company;
  clock: EmulatorClock;
  schema: QboSchema;
  /** include=allowduplicatedocnum (docs/qbo-facts.md §2). */
  allowDuplicateDocNum: boolean;
  /** "Type:Id" of documents created earlier in the same batch: docs/qbo-facts.md §1 says later items cannot see them. */
  hidden: Set<string>;
  /** Loading a company file: the company's history, not a person's new request (items.ts). */
  seeding?: boolean;
  /** Fault injection's `taxDeltaCents` for "Entity:operation" (0 when no rule applies). */
  taxDelta?: (key: string) => number;
}

/** What an entity's rules decided: the document's own effects and any standalone ones (inventory adjustments). */
export interface Prepared {
  effects?: Effects;
  extra?: { key: string; effects: Effects }[];
}

export interface EntityRules {
  /** Normalises `doc` in place (defaults, computed fields) after checking QBO's rules; throws QboFault. */
  prepare(ctx: RuleContext, doc: Entity, previous: Entity | undefined): Prepared;
  /** Fills fields QBO derives before the required-field check (DisplayName from the name parts). */
  derive?(doc: Entity): void;
  /** Client-sent values QBO ignores and recomputes. */
  computed?: string[];
  /** Server-kept values an update carries over from the stored entity. */
  carried?: string[];
  create?: boolean;
  update?: boolean;
  delete?: boolean;
  void?: boolean;
}
