/** The workflow bundle's entry: every workflow type the worker registers. */
export { storeWorkflow } from './store';
export { syncRunWorkflow } from './sync-run';
export { connectionKeepAliveWorkflow } from './keepalive';
export { storeAuditWorkflow } from './audit';
export { payoutWorkflow } from './payout';
export { inventoryWorkflow } from './inventory';
export { undoWorkflow } from './undo';
