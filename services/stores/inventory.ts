/**
 * The API's side of inventory (docs/inventory.md): the checks before inventory may be turned on, starting a run
 * now (preview or apply), waiting a bounded time for it, and a person's confirmation of a run the circuit breaker
 * parked. The runs themselves are workflows/inventory.ts; their records are `inventory_runs` / `inventory_changes`.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { getStoreWithShopifyToken } from '../../db/queries';
import { FINAL_INVENTORY_STATUSES, getInventoryRun, type InventoryRunRow } from '../../db/queries/inventory';
import type { StoreRow } from '../../db/queries/stores';
import { SettingsValidationError, ShopifyAuthError, ShopifyThrottledError, TransientUpstreamError } from '../../domain/errors';
import { inventorySettingsOf, type InventorySettings, type Settings } from '../../domain/settings';
import { createShopifyClient, type ShopifyClient } from '../../integrations/shopify/client';
import { LOCATION_BY_ID } from '../../integrations/shopify/queries/inventory';
import { confirmInventoryRunUpdate, workflowIds, type InventoryMode, type InventoryRunInput } from '../../workflows/definitions';
import type { inventoryWorkflow } from '../../workflows/inventory';
import { HttpError, conflict, notFound } from '../errors';
import { settingsHttpError } from './settings-input';
import { type StoreContext, temporalClient, temporalUnavailable } from './context';
import { qboHttpError, storeQboClient } from './qbo-check';

const CALL_TIMEOUT_MS = 10_000;
const POLL_MS = 250;

const invalid = (path: string, message: string) => settingsHttpError(new SettingsValidationError([{ path, message }]));

/**
 * Whether QBO's Preferences say the company tracks quantity on hand (`ProductAndServicesPrefs.QuantityOnHand`,
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/preferences). QBO answers a
 * boolean; a string "true"/"false" is read as one. Absent: unknown (null), and the check does not refuse on it.
 */
export function tracksQuantity(preferences: Record<string, unknown>): boolean | null {
  const prefs = preferences.ProductAndServicesPrefs as Record<string, unknown> | undefined;
  const value = prefs?.QuantityOnHand;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return null;
}

/**
 * Before inventory is turned on (or pointed at another location): the QBO company must track quantity on hand and
 * the location must exist, active, in the shop. Each refusal is a 400 `invalid_settings` naming the field.
 */
export async function checkInventoryEnable(ctx: StoreContext, row: StoreRow, inv: InventorySettings): Promise<void> {
  if (row.state === 'disconnected') {
    throw conflict(`Store ${row.id} is disconnected: inventory cannot be turned on until its credentials are replaced`);
  }
  let preferences: Record<string, unknown>;
  try {
    preferences = await storeQboClient(ctx, row).preferences();
  } catch (err) {
    throw qboHttpError(err, row.qboRealmId, false);
  }
  const withToken = await getStoreWithShopifyToken(ctx.db, { storeId: row.id });
  if (!withToken) throw notFound(`Store ${row.id}`);
  const shopify = createShopifyClient({
    shopDomain: row.shopDomain,
    accessToken: ctx.cipher.decrypt(withToken.shopifyTokenEnc),
    pacer: ctx.pacer,
    logger: ctx.log,
    timeoutMs: 15_000,
    ...(ctx.shopifyApiBaseUrl ? { apiBaseUrl: ctx.shopifyApiBaseUrl } : {}),
  });
  await checkInventoryTarget(ctx, { storeId: row.id, shopDomain: row.shopDomain, preferences, shopify, inv });
}

/**
 * The checks themselves, on the QBO company's Preferences (already read) and a Shopify client for the shop: used
 * when inventory is turned on in the settings, and at connect (POST /stores) when it is on from the start.
 */
export async function checkInventoryTarget(
  ctx: Pick<StoreContext, 'log'>,
  target: { storeId: string; shopDomain: string; preferences: Record<string, unknown>; shopify: ShopifyClient; inv: InventorySettings },
): Promise<void> {
  const { inv, shopDomain } = target;
  const tracks = tracksQuantity(target.preferences);
  if (tracks === false) {
    throw invalid(
      'inventory.mode',
      'the QBO company does not track quantity on hand (Preferences ProductAndServicesPrefs.QuantityOnHand is false): turn on "Track inventory quantity on hand" in QBO (Account and settings → Sales → Products and services) first',
    );
  }
  if (tracks === null)
    ctx.log.warn({ storeId: target.storeId }, 'QBO Preferences do not say whether quantity on hand is tracked; inventory allowed');
  let location: { id: string; name: string; isActive: boolean } | null;
  try {
    location = (await target.shopify.request<{ location: typeof location }>(LOCATION_BY_ID, { id: inv.locationId }, { estimatedCost: 1 }))
      .location;
  } catch (err) {
    if (err instanceof ShopifyAuthError) throw new HttpError(422, 'shopify_rejected', err.message);
    if (err instanceof TransientUpstreamError || err instanceof ShopifyThrottledError) {
      throw new HttpError(502, 'shopify_unavailable', `Could not read the location from Shopify: ${err.message}. Try again.`);
    }
    throw err;
  }
  if (!location) throw invalid('inventory.locationId', `${shopDomain} has no location ${inv.locationId}`);
  if (!location.isActive) {
    throw invalid('inventory.locationId', `the location ${inv.locationId} ("${location.name}") is deactivated in ${shopDomain}`);
  }
}

/** The settings' inventory section changed in a way that needs the checks: turned on, or on with another location. */
export function inventoryNeedsCheck(current: Settings, next: Settings): boolean {
  const was = inventorySettingsOf(current);
  const now = inventorySettingsOf(next);
  return now.mode !== 'off' && (was.mode === 'off' || was.locationId !== now.locationId);
}

/** Refusals before a run is started by the API (what inventoryBegin would otherwise record as blocked). */
export function assertRunAllowed(row: StoreRow, mode: InventoryMode): InventorySettings {
  const inv = inventorySettingsOf(row.settings);
  if (row.state !== 'active') throw conflict(`Store ${row.id} is ${row.state}: resume it before running inventory`);
  if (!inv.locationId) {
    throw conflict(`Store ${row.id} has no inventory location: set inventory.locationId with PUT /stores/${row.id}/settings first`);
  }
  if (mode === 'apply' && inv.mode !== 'apply') {
    throw conflict(
      `Store ${row.id} has inventory.mode "${inv.mode}": an apply run writes to Shopify only when inventory.mode is "apply" (a preview is allowed)`,
    );
  }
  return inv;
}

export interface StartedRun {
  runId: string;
  /** The run's record when it finished (or parked) within the wait; null when it is still going. */
  run: InventoryRunRow | null;
}

/** Starts one run now and waits up to `waitSeconds` for it to finish or park (by its record, not a long poll). */
export async function startInventoryRun(ctx: StoreContext, row: StoreRow, mode: InventoryMode, waitSeconds: number): Promise<StartedRun> {
  const client = await temporalClient(ctx);
  const runId = `${workflowIds.inventory(row.shopDomain)}:${mode}:${ctx.clock().toISOString()}:${randomUUID().slice(0, 8)}`;
  const input: InventoryRunInput = { storeId: row.id, shopDomain: row.shopDomain, trigger: 'manual', mode };
  try {
    await client.withDeadline(Date.now() + CALL_TIMEOUT_MS, () =>
      client.workflow.start<typeof inventoryWorkflow>('inventoryWorkflow', { taskQueue: ctx.taskQueue, workflowId: runId, args: [input] }),
    );
  } catch (err) {
    throw temporalUnavailable(err, 'start the inventory run');
  }
  return { runId, run: await waitForRun(ctx, row.id, runId, waitSeconds) };
}

const settled = (status: string) => status === 'awaiting_confirmation' || (FINAL_INVENTORY_STATUSES as readonly string[]).includes(status);

async function waitForRun(ctx: StoreContext, storeId: string, runId: string, waitSeconds: number): Promise<InventoryRunRow | null> {
  const until = Date.now() + waitSeconds * 1000;
  for (;;) {
    const run = await getInventoryRun(ctx.db, { storeId, runId });
    if (run && settled(run.status)) return run;
    if (Date.now() >= until) return null;
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, until - Date.now()))));
  }
}

/** A person confirms a parked run: 404 for a run of no such id, 409 for one not waiting for a confirmation. */
export async function confirmInventoryRun(ctx: StoreContext, row: StoreRow, runId: string, by: string): Promise<InventoryRunRow> {
  const run = await getInventoryRun(ctx.db, { storeId: row.id, runId });
  if (!run) throw notFound(`Inventory run ${runId} of store ${row.id}`);
  if (run.status !== 'awaiting_confirmation') {
    throw conflict(
      `Inventory run ${runId} is ${run.status}: only a run waiting for a confirmation (awaiting_confirmation) can be confirmed`,
    );
  }
  const client = await temporalClient(ctx);
  try {
    await client.withDeadline(Date.now() + CALL_TIMEOUT_MS, () =>
      client.workflow.getHandle(runId).executeUpdate(confirmInventoryRunUpdate, { args: [{ by }] }),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError) {
      throw conflict(`Inventory run ${runId} is no longer waiting for a confirmation (it expired or ended)`);
    }
    throw temporalUnavailable(err, 'confirm the inventory run');
  }
  return (await waitForRun(ctx, row.id, runId, 0)) ?? (await getInventoryRun(ctx.db, { storeId: row.id, runId }))!;
}
