/**
 * Heartbeats from inside an activity; outside one (tests calling the activity functions directly) there is nothing
 * to heartbeat and the call does nothing. Shared by every activity factory.
 */
import { Context } from '@temporalio/activity';
import type { Db } from '../db/client';
import { disconnectStore } from '../db/queries';
import { QboConnectionRevokedError } from '../domain/errors';

export function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Outside an activity there is no context to heartbeat.
  }
}

/** How often a long step heartbeats (its activity options allow a few misses). */
export const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Runs one activity step for a store with a heartbeat every few seconds; a revoked QBO grant marks the store
 * disconnected before the error goes on to the workflow. Shared by the audit, payout and inventory activities.
 */
export async function guardedStep<T>(deps: { db: Db; clock: () => Date }, storeId: string, body: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await body();
  } catch (err) {
    if (err instanceof QboConnectionRevokedError) await disconnectStore(deps.db, { storeId, reason: err.message, at: deps.clock() });
    throw err;
  } finally {
    clearInterval(timer);
  }
}
