/**
 * What a sync activity needs about one store: its settings, the shop's time zone, and clients for
 * both APIs with the store's credentials (decrypted in memory only, never logged or returned).
 */
import { Context } from '@temporalio/activity';
import type { Logger } from '../../config/logger';
import { getStoreWithShopifyToken, setStoreTimezone } from '../../db/queries/stores';
import { StoreNotFoundError } from '../../domain/errors';
import { companyPrefsFrom, parseSettings, type CompanyPrefs, type Settings } from '../../domain/settings';
import { createQboClient, type QboClient } from '../../integrations/qbo/client';
import type { QboLimiter } from '../../integrations/qbo/limiter';
import { createTokenProvider } from '../../integrations/qbo/tokens';
import { createShopifyClient, type ShopifyClient } from '../../integrations/shopify/client';
import type { ShopifyPacer } from '../../integrations/shopify/pacer';
import { SHOP_CONTEXT } from '../../integrations/shopify/queries/orders';
import { qboCredentialsOf, type ActivityDeps } from '../deps';
import type { CallRetryPolicy } from '../../integrations/call-retry';
import { heartbeat } from '../heartbeat';

export interface StoreContext {
  storeId: string;
  shopDomain: string;
  realmId: string;
  settings: Settings;
  /**
   * The QBO company's preferences as they stand now (docs/qbo-facts.md §4 "Company preferences"), read once per
   * activity that writes to QBO (never cached across activities): a person may turn sales tax, discounts or
   * custom numbers off after connect, and the next page written must see it.
   */
  company(): Promise<CompanyPrefs>;
  /** The shop's IANA zone: QBO TxnDate is the order's processing date there. */
  timeZone: string;
  shopify: ShopifyClient;
  qbo: QboClient;
  log: Logger;
}

/**
 * Transient faults are retried per call within the activity attempt (integrations/call-retry.ts), heartbeating
 * while it waits and stopping when the attempt is cancelled; after the bound the attempt fails and Temporal retries.
 */
export function activityCallRetry(log: Logger, overrides: CallRetryPolicy = {}): CallRetryPolicy {
  let signal: AbortSignal | undefined;
  try {
    signal = Context.current().cancellationSignal;
  } catch {
    // Outside an activity (tests calling the functions directly): nothing cancels.
  }
  return {
    ...(signal ? { signal } : {}),
    onWait: (info) => {
      heartbeat();
      log.info(info, 'upstream call failed transiently; sending it again after a wait');
    },
    ...overrides,
  };
}

export async function loadStoreContext(
  deps: ActivityDeps,
  storeId: string,
  shared: { pacer: ShopifyPacer; limiter: QboLimiter; retry?: CallRetryPolicy },
): Promise<StoreContext> {
  const row = await getStoreWithShopifyToken(deps.db, { storeId });
  if (!row) throw new StoreNotFoundError(storeId);
  const { store } = row;
  const log = deps.log.child({ storeId, shop: store.shopDomain });
  const retry = activityCallRetry(log, shared.retry);
  const shopify = createShopifyClient({
    shopDomain: store.shopDomain,
    accessToken: deps.cipher.decrypt(row.shopifyTokenEnc),
    pacer: shared.pacer,
    logger: log,
    retry,
    ...(deps.shopifyApiBaseUrl ? { apiBaseUrl: deps.shopifyApiBaseUrl } : {}),
  });
  const tokens = createTokenProvider({
    store: qboCredentialsOf(deps),
    cipher: deps.cipher,
    clock: deps.clock,
    logger: log,
    storeId,
    ...(deps.qboTokenUrl ? { tokenUrl: deps.qboTokenUrl } : {}),
  });
  const qbo = createQboClient({
    realmId: store.qboRealmId,
    tokens,
    limiter: shared.limiter,
    logger: log,
    retry,
    ...(deps.qboEndpoint ? { endpoint: deps.qboEndpoint } : {}),
    ...(deps.qboThrottleWaitMs !== undefined ? { throttleRetryAfterMs: deps.qboThrottleWaitMs } : {}),
  });
  let timeZone = store.shopTimezone;
  if (!timeZone) {
    const data = await shopify.request<{ shop: { ianaTimezone: string } }>(SHOP_CONTEXT, {}, { estimatedCost: 1 });
    timeZone = data.shop.ianaTimezone;
    await setStoreTimezone(deps.db, { storeId, timeZone });
  }
  let prefs: Promise<CompanyPrefs> | undefined;
  return {
    storeId,
    shopDomain: store.shopDomain,
    company: () => (prefs ??= qbo.preferences().then(companyPrefsFrom)),
    realmId: store.qboRealmId,
    // Settings were validated when saved; parsing again fills defaults added since.
    settings: parseSettings(store.settings),
    timeZone,
    shopify,
    qbo,
    log,
  };
}
