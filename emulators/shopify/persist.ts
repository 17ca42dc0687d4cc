// Optional state file: loaded at start, saved on close and periodically while dirty.
import fs from 'node:fs';
import path from 'node:path';
import type { EmulatorCore } from './emulator';
import { type Commitment, putProduct, type Obj } from './state';

interface ShopSnapshot {
  domain: string;
  accessToken: string;
  scopes: string[];
  info: Obj;
  paymentsAccount: Obj;
  bucket: { maximumAvailable: number; restoreRate: number };
  orders: Obj[];
  payouts: Obj[];
  balanceTransactions: Obj[];
  products: Obj[];
  bulkOperations: Obj[];
  bulkFiles: [string, string][];
  webhookSubscriptions: Obj[];
  idempotency: [string, { fingerprint: string; payload: Obj }][];
  /** Absent in files saved before inventory groups were kept. */
  inventoryAdjustmentGroups?: Obj[];
  /** Absent in files saved before orders committed stock. */
  commitments?: Commitment[];
}
interface Snapshot {
  format: 'ledgerline-shopify-emulator/1';
  idCounter: number;
  shops: ShopSnapshot[];
}

export function snapshot(core: EmulatorCore): Snapshot {
  return {
    format: 'ledgerline-shopify-emulator/1',
    idCounter: core.idCounter,
    shops: [...core.shops.values()].map((s) => ({
      domain: s.domain,
      accessToken: s.accessToken,
      scopes: s.scopes,
      info: s.info,
      paymentsAccount: s.paymentsAccount,
      bucket: { maximumAvailable: s.bucket.maximumAvailable, restoreRate: s.bucket.restoreRate },
      orders: [...s.orders.values()],
      payouts: [...s.payouts.values()],
      balanceTransactions: [...s.balanceTransactions.values()],
      products: [...s.products.values()],
      bulkOperations: [...s.bulkOperations.values()],
      bulkFiles: [...s.bulkFiles],
      webhookSubscriptions: s.webhookSubscriptions,
      idempotency: [...s.idempotency],
      inventoryAdjustmentGroups: [...s.inventoryAdjustmentGroups.values()],
      commitments: [...s.commitments.values()],
    })),
  };
}

export function restore(core: EmulatorCore, snap: Snapshot): void {
  if (snap.format !== 'ledgerline-shopify-emulator/1') throw new Error(`Unknown state file format: ${String(snap.format)}`);
  core.shops.clear();
  core.idCounter = snap.idCounter;
  for (const s of snap.shops) {
    const shop = core.createShop({ domain: s.domain, accessToken: s.accessToken, scopes: s.scopes, ...s.bucket });
    Object.assign(shop, { info: s.info, paymentsAccount: s.paymentsAccount, webhookSubscriptions: s.webhookSubscriptions });
    for (const o of s.orders) shop.orders.set(o.id, o);
    for (const p of s.payouts) shop.payouts.set(p.id, p);
    for (const t of s.balanceTransactions) shop.balanceTransactions.set(t.id, t);
    for (const p of s.products) putProduct(shop, p);
    for (const b of s.bulkOperations) {
      // An operation interrupted by the shutdown cannot resume.
      if (b.status === 'CREATED' || b.status === 'RUNNING') Object.assign(b, { status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR' });
      shop.bulkOperations.set(b.id, b);
    }
    for (const [k, v] of s.bulkFiles) shop.bulkFiles.set(k, v);
    for (const [k, v] of s.idempotency) shop.idempotency.set(k, v);
    for (const g of s.inventoryAdjustmentGroups ?? []) shop.inventoryAdjustmentGroups.set(g.id, g);
    for (const c of s.commitments ?? []) shop.commitments.set(c.lineItemId, c);
  }
}

export function saveState(core: EmulatorCore, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(snapshot(core)));
  fs.renameSync(tmp, file);
}

export function loadState(core: EmulatorCore, file: string): boolean {
  if (!fs.existsSync(file)) return false;
  restore(core, JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot);
  return true;
}
