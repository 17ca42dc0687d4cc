/**
 * Heartbeats from inside an activity; outside one (tests calling the activity functions directly) there is nothing
 * to heartbeat and the call does nothing. Shared by every activity factory.
 */
import { Context } from '@temporalio/activity';

export function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Outside an activity there is no context to heartbeat.
  }
}
