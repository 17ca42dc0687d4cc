/**
 * What core-sdk records as marker events in a workflow's history: `core_patch` for each `patched()` taken (its patch
 * id inside) and `core_local_activity` for each local activity's result (its type and attempt inside).
 */
import type { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;

function markerData<T>(events: Event[], name: string, key: string): T[] {
  return events.flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== name) return [];
    return [JSON.parse(Buffer.from(m.details![key]!.payloads![0]!.data!).toString('utf8')) as T];
  });
}

/** The ids of the patches the history recorded, in order. */
export const patchIds = (events: Event[]): string[] => markerData<{ id: string }>(events, 'core_patch', 'patch-data').map((p) => p.id);

/** Each local activity's recorded result: its type and the attempt that ended it. */
export const localActivities = (events: Event[]): Array<{ type: string; attempt: number }> =>
  markerData<{ activity_type: string; attempt: number }>(events, 'core_local_activity', 'data').map((d) => ({
    type: d.activity_type,
    attempt: d.attempt,
  }));
