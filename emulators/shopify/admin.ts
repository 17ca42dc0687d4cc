// Programmatic admin API (the same operations as the /_emulator/ HTTP routes).
import type { EmulatorCore, RequestLogEntry } from './emulator';
import type { FaultRule } from './faults';
import { type FulfilRequest, fulfilOrder } from './inventory-moves';
import type { AppOptions } from './oauth';
import { AdminError } from './order-helpers';
import { addBalanceTransactions, addPayouts, addProducts, cancelOrder, getOrder, markPaid, upsertOrders } from './order-ops';
import { issuePayout, type IssuePayoutRequest, type PayoutStatusRequest, setPayoutStatus } from './payout-ops';
import { addRefund, type RefundRequest } from './refund-ops';
import type { Obj, ShopOptions, ShopState } from './state';
import { shopPayload } from './webhook-payloads';
import type { DeliveryRecord } from './webhooks';

export class ShopifyAdmin {
  constructor(
    private readonly core: EmulatorCore,
    private readonly resetState: () => void,
  ) {}

  /** The shop's live state (tests may inspect it; changes bypass webhooks). */
  shop(domain: string): ShopState {
    const shop = this.core.shop(domain);
    if (!shop) throw new AdminError(`Unknown shop ${domain}`, 404);
    return shop;
  }

  createShop(opts: ShopOptions): { domain: string } {
    if (this.core.shop(opts?.domain)) throw new AdminError(`Shop ${opts.domain} already exists`, 409);
    return { domain: this.core.createShop(opts).domain };
  }

  upsertOrders(domain: string, orders: Obj[]): Obj[] {
    return upsertOrders(this.core.opsEnv(), this.shop(domain), orders);
  }

  getOrder(domain: string, orderId: string): Obj {
    return getOrder(this.shop(domain), orderId);
  }

  addRefund(domain: string, orderId: string, request: RefundRequest): Obj {
    const shop = this.shop(domain);
    return addRefund(this.core.opsEnv(), shop, getOrder(shop, orderId), request);
  }

  markPaid(domain: string, orderId: string, opts: { gateway?: string } = {}): Obj {
    const shop = this.shop(domain);
    return markPaid(this.core.opsEnv(), shop, getOrder(shop, orderId), opts);
  }

  cancelOrder(domain: string, orderId: string, opts: { reason?: string } = {}): Obj {
    const shop = this.shop(domain);
    return cancelOrder(this.core.opsEnv(), shop, getOrder(shop, orderId), opts);
  }

  /** Ships units of an order: they leave committed and on_hand (inventory-moves.ts). Returns the fulfillment. */
  fulfilOrder(domain: string, orderId: string, request: FulfilRequest = {}): Obj {
    const shop = this.shop(domain);
    return fulfilOrder(this.core.opsEnv(), shop, getOrder(shop, orderId), request);
  }

  addPayouts(domain: string, payouts: Obj[]): void {
    addPayouts(this.shop(domain), payouts);
  }
  /**
   * Moves a payout (gid or legacy id) to `status`; its balance transactions follow. With `returnFunds` (FAILED or
   * CANCELED), its net comes back to the balance as a pending TRANSFER_FAILURE / TRANSFER_CANCEL row (payout-ops.ts).
   */
  setPayoutStatus(domain: string, payoutId: string, request: PayoutStatusRequest): { payout: Obj; returned: Obj | null } {
    return setPayoutStatus(this.core.opsEnv(), this.shop(domain), payoutId, request);
  }
  /** Issues a payout of every pending balance transaction processed at or before `issuedAt` (payout-ops.ts). */
  issuePayout(domain: string, request: IssuePayoutRequest): Obj {
    return issuePayout(this.core.opsEnv(), this.shop(domain), request);
  }
  addBalanceTransactions(domain: string, txs: Obj[]): void {
    addBalanceTransactions(this.shop(domain), txs);
  }
  addProducts(domain: string, products: Obj[]): void {
    addProducts(this.shop(domain), products);
  }

  /**
   * The merchant uninstalls the app: Shopify sends `app/uninstalled` to the app's subscriptions, revokes
   * the access token (the Admin API answers 401 to it from now on) and drops the app's subscriptions.
   */
  uninstallApp(domain: string): { domain: string } {
    const shop = this.shop(domain);
    if (shop.uninstalled) throw new AdminError(`The app is not installed on ${domain}`, 409);
    this.core.webhooks.emit(shop, 'APP_UNINSTALLED', shopPayload(shop));
    shop.uninstalled = true;
    shop.webhookSubscriptions = [];
    return { domain };
  }

  /** Registers an app for the install flow (oauth.ts), or replaces the one with its client id (e.g. its scopes). */
  registerApp(app: AppOptions): { clientId: string } {
    try {
      this.core.oauth.registerApp(app);
    } catch (err) {
      throw new AdminError(err instanceof Error ? err.message : String(err), 400);
    }
    return { clientId: app.clientId };
  }

  /** Overrides a shop's cost bucket (e.g. a low restore rate for a throttling test). */
  setThrottle(domain: string, settings: { maximumAvailable?: number; restoreRate?: number; currentlyAvailable?: number }): void {
    const bucket = this.shop(domain).bucket;
    if (settings.maximumAvailable !== undefined) bucket.maximumAvailable = settings.maximumAvailable;
    if (settings.restoreRate !== undefined) bucket.restoreRate = settings.restoreRate;
    bucket.available = Math.min(bucket.maximumAvailable, settings.currentlyAvailable ?? bucket.maximumAvailable);
    bucket.atMs = this.core.now().getTime();
  }

  requests(shop?: string): RequestLogEntry[] {
    return this.core.requestLog.filter((r) => !shop || r.shop === shop);
  }

  faults(): FaultRule[] {
    return this.core.faults.list();
  }
  addFaults(rules: FaultRule | FaultRule[]): void {
    this.core.faults.add(rules);
  }
  clearFaults(): void {
    this.core.faults.clear();
  }

  webhookDeliveries(): DeliveryRecord[] {
    return this.core.webhooks.deliveries.map((d) => ({ ...d }));
  }
  /** Resolves when every webhook delivery so far has succeeded or exhausted its retries. */
  webhooksIdle(): Promise<void> {
    return this.core.webhooks.idle();
  }

  bulkFile(domain: string, file: string): string | undefined {
    return this.core.shop(domain)?.bulkFiles.get(file);
  }

  /** Back to the state at start: the configured shops, seeded again; logs and faults cleared. */
  reset(): void {
    this.resetState();
  }
}
