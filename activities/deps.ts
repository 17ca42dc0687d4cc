import type { Client } from '@temporalio/client';
import type { Cipher } from '../config/secrets';
import type { Logger } from '../config/logger';
import type { Db } from '../db/client';
import { qboCredentialStore } from '../db/queries/credentials';
import type { QboLimits } from '../integrations/qbo/limiter';
import type { QboCredentialStore } from '../integrations/qbo/tokens';

/** What the worker builds once and hands to every activity factory (the composition root is main/system.ts). */
export interface ActivityDeps {
  db: Db;
  cipher: Cipher;
  log: Logger;
  clock: () => Date;
  /** Where QBO tokens are read and refreshed; undefined → the `store_credentials` table of `db`. */
  qboCredentials?: QboCredentialStore | undefined;
  /** QBO OAuth token endpoint (Intuit's, or the emulator's). */
  qboTokenUrl: string | undefined;
  /** QBO v3 endpoint (`…/v3/company/`); undefined → Intuit production. */
  qboEndpoint?: string | undefined;
  /** Ledgerline's own pacing of QBO calls per realm (default: QBO's published limits, docs/qbo-facts.md §1). */
  qboLimits?: Partial<QboLimits> | undefined;
  /** How long to wait after a QBO 429 (docs/qbo-facts.md §1: 60 s); shorter only for time-scaled emulators. */
  qboThrottleWaitMs?: number | undefined;
  /** Shopify Admin API base (the emulator); undefined → https://<shop>. */
  shopifyApiBaseUrl?: string | undefined;
  /**
   * The Temporal client activities start other workflows with (payout discovery starts one saga per payout, and
   * nudges the store's loop). Undefined in processes without one: discovery then does nothing and says so.
   */
  temporal?: TemporalAccess | undefined;
}

export interface TemporalAccess {
  client: () => Promise<Client>;
  taskQueue: string;
  /** Whether the cluster has Ledgerline's search attributes (the dev server and a prepared cluster do). */
  searchAttributes: boolean;
}

/** The QBO credential store the deps name, else the one over `deps.db`. */
export function qboCredentialsOf(deps: ActivityDeps): QboCredentialStore {
  return deps.qboCredentials ?? qboCredentialStore(deps.db);
}
