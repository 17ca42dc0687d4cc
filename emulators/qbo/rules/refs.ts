import { faults } from '../core/faults';
import type { Entity } from '../types';
import type { RuleContext } from './context';

/** The id of a ReferenceType ({value}) or undefined. */
export function refId(ref: unknown): string | undefined {
  if (ref === null || ref === undefined) return undefined;
  if (typeof ref === 'string' || typeof ref === 'number') return String(ref);
  const value = (ref as { value?: unknown }).value;
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** An entity as the current request may see it (batch items cannot see their siblings' creations). */
export function lookup(ctx: RuleContext, entity: string, id: string | undefined): Entity | undefined {
  if (id === undefined || ctx.hidden.has(`${entity}:${id}`)) return undefined;
  return ctx.company.get(entity, id);
}

/**
 * A reference must name an existing (2500 Invalid Reference Id) and active (610 Object Not Found) entity
 * (docs/qbo-facts.md §7). `entities` lists the types the reference may point at.
 */
export function checkRef(ctx: RuleContext, entities: string | string[], ref: unknown, element: string): Entity | undefined {
  const id = refId(ref);
  if (id === undefined) return undefined;
  const types = Array.isArray(entities) ? entities : [entities];
  const declared = (ref as { type?: string } | undefined)?.type;
  const candidates = declared && types.includes(declared) ? [declared] : types;
  for (const type of candidates) {
    const found = lookup(ctx, type, id);
    if (!found) continue;
    if (found.Active === false) throw faults.inactiveReference(element);
    return found;
  }
  throw faults.invalidReference(candidates.join('/'), id, element);
}

export function requireRef(ctx: RuleContext, entities: string | string[], ref: unknown, element: string): Entity {
  if (refId(ref) === undefined) throw faults.requiredMissing(element);
  return checkRef(ctx, entities, ref, element) as Entity;
}
