/**
 * Test-only workflow module (test/replay/replay.test.ts): the same change as unpatched.ts — a
 * one-second timer before each workflow's first command — made safely with `patched()`. Histories
 * recorded without the change replay the old path (patched() is false there); new executions take
 * the new one and record a marker. README.md "Changing workflows safely".
 */
import { patched, sleep } from '@temporalio/workflow';
import type { InventoryRunInput, PayoutWorkflowInput, StoreAuditInput, SyncRunInput } from '../../../workflows/definitions';
import { storeAuditWorkflow as currentAudit } from '../../../workflows/audit';
import { inventoryWorkflow as currentInventory } from '../../../workflows/inventory';
import { connectionKeepAliveWorkflow as currentKeepAlive } from '../../../workflows/keepalive';
import { payoutWorkflow as currentPayout } from '../../../workflows/payout';
import { storeWorkflow as currentStore } from '../../../workflows/store';
import { syncRunWorkflow as currentSyncRun } from '../../../workflows/sync-run';
import { undoWorkflow as currentUndo } from '../../../workflows/undo';
import type { UndoInput } from '../../../workflows/contracts';

const PATCH = 'replay-test-pause-before-start';

export async function storeWorkflow(...args: Parameters<typeof currentStore>): ReturnType<typeof currentStore> {
  if (patched(PATCH)) await sleep('1 second');
  return currentStore(...args);
}

export async function syncRunWorkflow(input: SyncRunInput): ReturnType<typeof currentSyncRun> {
  if (patched(PATCH)) await sleep('1 second');
  return currentSyncRun(input);
}

export async function connectionKeepAliveWorkflow(): ReturnType<typeof currentKeepAlive> {
  if (patched(PATCH)) await sleep('1 second');
  return currentKeepAlive();
}

export async function storeAuditWorkflow(input: StoreAuditInput): ReturnType<typeof currentAudit> {
  if (patched(PATCH)) await sleep('1 second');
  return currentAudit(input);
}

export async function payoutWorkflow(input: PayoutWorkflowInput): ReturnType<typeof currentPayout> {
  if (patched(PATCH)) await sleep('1 second');
  return currentPayout(input);
}

export async function inventoryWorkflow(input: InventoryRunInput): ReturnType<typeof currentInventory> {
  if (patched(PATCH)) await sleep('1 second');
  return currentInventory(input);
}

export async function undoWorkflow(input: UndoInput): ReturnType<typeof currentUndo> {
  if (patched(PATCH)) await sleep('1 second');
  return currentUndo(input);
}
