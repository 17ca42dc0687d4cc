/**
 * Test-only workflow module (test/replay/replay.test.ts): Ledgerline's workflow types, each
 * changed the unsafe way — a one-second timer before its first command. A workflow that started
 * before such a deploy has a different first command in its history, so replaying it must fail.
 */
import { sleep } from '@temporalio/workflow';
import type { InventoryRunInput, PayoutWorkflowInput, StoreAuditInput, SyncRunInput } from '../../../workflows/definitions';
import { storeAuditWorkflow as currentAudit } from '../../../workflows/audit';
import { inventoryWorkflow as currentInventory } from '../../../workflows/inventory';
import { connectionKeepAliveWorkflow as currentKeepAlive } from '../../../workflows/keepalive';
import { payoutWorkflow as currentPayout } from '../../../workflows/payout';
import { storeWorkflow as currentStore } from '../../../workflows/store';
import { syncRunWorkflow as currentSyncRun } from '../../../workflows/sync-run';
import { undoWorkflow as currentUndo } from '../../../workflows/undo';
import type { UndoInput } from '../../../workflows/contracts';

export async function storeWorkflow(...args: Parameters<typeof currentStore>): ReturnType<typeof currentStore> {
  await sleep('1 second');
  return currentStore(...args);
}

export async function syncRunWorkflow(input: SyncRunInput): ReturnType<typeof currentSyncRun> {
  await sleep('1 second');
  return currentSyncRun(input);
}

export async function connectionKeepAliveWorkflow(): ReturnType<typeof currentKeepAlive> {
  await sleep('1 second');
  return currentKeepAlive();
}

export async function storeAuditWorkflow(input: StoreAuditInput): ReturnType<typeof currentAudit> {
  await sleep('1 second');
  return currentAudit(input);
}

export async function payoutWorkflow(input: PayoutWorkflowInput): ReturnType<typeof currentPayout> {
  await sleep('1 second');
  return currentPayout(input);
}

export async function inventoryWorkflow(input: InventoryRunInput): ReturnType<typeof currentInventory> {
  await sleep('1 second');
  return currentInventory(input);
}

export async function undoWorkflow(input: UndoInput): ReturnType<typeof currentUndo> {
  await sleep('1 second');
  return currentUndo(input);
}
