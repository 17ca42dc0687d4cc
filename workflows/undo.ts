import { proxyActivities } from '@temporalio/workflow';
import type { UndoActivities, UndoInput, UndoResult } from './contracts';
import { undoStep } from './options';

const step = proxyActivities<UndoActivities>(undoStep);

/**
 * An undo (POST /stores/:id/undo with mode "apply", docs/undo.md): one activity that deletes each QBO document of the
 * window exactly once and marks its ledger row `undone`. Thin and deterministic: the activity does the work behind the
 * store's write lease, so an undo never runs beside a sync; a retried attempt finds the rows already undone (or QBO
 * no longer holding the document) and does nothing twice. The workflow id names the request
 * (workflowIds.undo), so a repeated request attaches to the running undo instead of starting a second one.
 */
export async function undoWorkflow(input: UndoInput): Promise<UndoResult> {
  return step.undoApply(input);
}
