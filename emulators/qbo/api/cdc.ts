import { QboFault, faults } from '../core/faults';
import { canonicalEntity, type EntityName } from '../company/company';
import type { RuleContext } from '../rules/context';
import type { Entity } from '../types';

/**
 * GET /v3/company/:realm/cdc?entities=A,B&changedSince=<ISO> — change data capture (docs/qbo-facts.md §5 "Change
 * data capture"): every listed entity changed (created, updated, voided) at or after `changedSince`, in full, and
 * each one deleted since as `{ Id, status: "Deleted", MetaData }`; at most 30 days back and 1000 objects
 * (https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture).
 * The answer's shape and the faults for a missing or unknown entity list are those of recorded real traffic
 * (https://github.com/minimul/qbo_api `spec/vcr/qbo_api/cdc/basic.yml`, MIT): `{ CDCResponse: [{ QueryResponse:
 * [{ Estimate: […], startPosition, maxResults }] }] }`, and HTTP 200 carrying a SystemFault 10000 "entities is
 * required" / "Invalid entity supplied : entity=estimates" (entity names are matched without case there:
 * `entities=estimate` answered Estimates).
 */

/** Intuit's CDC page: everything but JournalCode, TaxAgency, TimeActivity, TaxCode and TaxRate. */
const NOT_CAPTURED = new Set<string>(['TaxCode', 'TaxRate']);
export const CDC_LOOKBACK_DAYS = 30;
export const CDC_MAX_OBJECTS = 1000;

/** The recorded answers: HTTP 200 with a SystemFault, as real QBO sent them. */
function systemFailure(detail: string): QboFault {
  return new QboFault(200, {
    Fault: {
      Error: [
        {
          Message: 'An application error has occurred while processing your request',
          Detail: `System Failure Error: java.lang.IllegalArgumentException: ${detail}`,
          code: '10000',
          element: 'SystemFailureError',
        },
      ],
      type: 'SystemFault',
    },
  });
}

function entityList(raw: string | null): EntityName[] {
  if (raw === null || raw.trim() === '') throw systemFailure('entities is required');
  return raw.split(',').map((part) => {
    const name = canonicalEntity(part.trim());
    if (!name || NOT_CAPTURED.has(name)) throw systemFailure(`Invalid entity supplied : entity=${part.trim()}`);
    return name;
  });
}

const at = (value: unknown): number => Date.parse(String(value ?? ''));

export function runCdc(ctx: RuleContext, url: URL): Entity {
  const entities = entityList(url.searchParams.get('entities'));
  const since = url.searchParams.get('changedSince');
  if (since === null || since.trim() === '') throw systemFailure('changedSince is required');
  const from = Date.parse(since);
  if (Number.isNaN(from)) throw faults.queryValidation(`changedSince ${since} is not a date-time`);
  // Intuit: "The date-time stamp within the past 30 days". What QBO answers beyond is not published; the
  // emulator refuses (our reading), so a client that asks further back fails its tests.
  if (from < ctx.clock.now() - CDC_LOOKBACK_DAYS * 86_400_000) {
    throw faults.queryValidation(`changedSince ${since} is more than ${CDC_LOOKBACK_DAYS} days ago`);
  }
  const deleted = ctx.company.state.deletedAt ?? {};
  let room = CDC_MAX_OBJECTS;
  const lists = entities.map((name) => {
    const changed = ctx.company
      .list(name)
      .filter((doc) => at((doc.MetaData as Entity | undefined)?.LastUpdatedTime) >= from)
      .map((doc) => ({ doc, time: at((doc.MetaData as Entity).LastUpdatedTime) }));
    const gone = Object.entries(deleted)
      .filter(([key, time]) => key.startsWith(`${name}:`) && at(time) >= from)
      .map(([key, time]) => ({
        doc: { domain: 'QBO', status: 'Deleted', Id: key.slice(name.length + 1), MetaData: { LastUpdatedTime: time } } as Entity,
        time: at(time),
      }));
    // Oldest change first; a full answer (1000 objects) keeps the oldest (our reading: Intuit says only "maximum").
    const all = [...changed, ...gone].sort((a, b) => a.time - b.time).slice(0, Math.max(0, room));
    room -= all.length;
    return all.length === 0 ? {} : { [name]: all.map((x) => x.doc), startPosition: 1, maxResults: all.length };
  });
  return { CDCResponse: [{ QueryResponse: lists }] };
}
