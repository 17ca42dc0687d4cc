/**
 * Review before posting (docs/review.md) end to end: the real syncRunWorkflow on the time-skipping Temporal server
 * drives the real activities against both emulators (through the real clients) and a real database (the engine
 * tests' PGlite), and the review service (services/stores/review.ts) marks rows as the API and console do. With
 * `posting: review` a run posts nothing and holds every new sale with its built document; approving some posts
 * exactly those, once (read back from the QBO emulator); approving again
 * and running again add nothing; a rejected document stays out of QBO until un-ignored, which holds it again; and
 * switching back to `auto` posts everything still held.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listUnbookedOrderKeys } from '../../db/queries/inventory';
import { stores } from '../../db/schema';
import type { StoreRow } from '../../db/queries/stores';
import { HttpError } from '../../services/errors';
import type { StoreContext } from '../../services/stores/context';
import { unignoreDocument } from '../../services/stores/documents';
import { listReview, reviewHeld } from '../../services/stores/review';
import { readBooks } from '../support/books';
import { silentLogger, usSettings } from '../support/sync-fixture';
import { withSyncShop, type SyncShop } from '../support/sync-shop';
import { timeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

const saleDocs = async (shop: SyncShop) => {
  const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
  expect(books.duplicates).toEqual([]);
  expect(books.mismatches).toEqual([]);
  return books;
};

const versions = (books: Awaited<ReturnType<typeof readBooks>>) =>
  [...books.documentsByOrder.values()]
    .flat()
    .map((d) => `${String(d._type)} ${String(d.Id)}:${String(d.SyncToken)}`)
    .sort();

describe('review before posting', () => {
  it('holds, posts exactly what is approved once, rejects reversibly, and posts the rest when switched back to auto', () =>
    withSyncShop(
      env,
      { seed: 41, orders: 24, days: 6 },
      async (shop) => {
        // The services as the API calls them; the store is handed over as paused so that they request no sync
        // (the test runs each sync itself and waits for it).
        const ctx = { db: shop.db.db, log: silentLogger, clock: () => new Date() } as unknown as StoreContext;
        const store = async (): Promise<StoreRow> => {
          const [row] = await shop.db.db.select().from(stores).where(eq(stores.id, shop.world.storeId));
          return { ...row!, state: 'paused' };
        };
        const sales = async () => (await shop.rows()).filter((r) => r.role === 'sale');

        // 1. Review mode: nothing reaches QBO; every order that would be booked is held with its built document.
        const first = await shop.sync('scheduled');
        expect(first).toMatchObject({ synced: 0, failed: 0 });
        expect((await saleDocs(shop)).documentsByOrder.size).toBe(0);
        expect(await shop.qbo.query('Payment')).toEqual([]);
        const held = (await sales()).filter((r) => r.status === 'held');
        expect(held.length).toBeGreaterThanOrEqual(8);
        for (const row of held) {
          expect(row).toMatchObject({ reasonCode: 'awaiting_review', qboId: null, requestId: null });
          expect(row.heldDocument!.docType).toBe(row.qboType);
          expect(row.heldDocument!.totalMinor).toBe(row.sourceTotalMinor);
          expect((row.heldDocument!.body.Line as unknown[]).length).toBeGreaterThan(0);
        }
        // Inventory counts them as sold in Shopify and not booked in QBO (db/queries/inventory.ts).
        const unbooked = await listUnbookedOrderKeys(shop.db.db, { storeId: shop.world.storeId, bookedSince: new Date() });
        for (const row of held) expect(unbooked).toContain(row.sourceKey);
        const list = await listReview(ctx, await store());
        expect(list).toMatchObject({ posting: 'review', count: held.length });
        expect(list.items[0]!.document!.lines.length).toBeGreaterThan(0);
        expect(list.items[0]!.document!.total).toMatch(/^\d+\.\d{2}$/);

        // 2. Approve three: the next run posts exactly those, each once.
        const chosen = held.slice(0, 3).map((r) => r.sourceKey);
        const approval = await reviewHeld(ctx, await store(), 'approve', chosen);
        expect(approval).toMatchObject({ changed: chosen, unchanged: [], changedMeanwhile: [] });
        expect(approval.sync).toMatchObject({ started: false });
        await shop.sync('manual');
        const afterApproval = await saleDocs(shop);
        expect([...afterApproval.documentsByOrder.keys()].sort()).toEqual(chosen.map((k) => k.replace(/^order:/, '')).sort());
        for (const key of chosen) {
          const row = (await sales()).find((r) => r.sourceKey === key)!;
          expect(row).toMatchObject({ status: 'synced', heldDocument: null });
          const [doc] = afterApproval.documentsByOrder.get(key.replace(/^order:/, ''))!;
          expect(String(doc!.Id)).toBe(row.qboId);
        }
        const stillHeld = (await sales()).filter((r) => r.status === 'held');
        expect(stillHeld).toHaveLength(held.length - 3);

        // 3. A second approval is refused (they are posted), and another run adds nothing.
        const again = await reviewHeld(ctx, await store(), 'approve', chosen).catch((e: unknown) => e);
        expect(again).toBeInstanceOf(HttpError);
        expect((again as HttpError).statusCode).toBe(409);
        expect((again as HttpError).message).toMatch(/is not held for review \(synced/);
        await shop.sync('manual');
        expect(versions(await saleDocs(shop))).toEqual(versions(afterApproval));

        // 4. Reject two: ignored, not posted; un-ignoring one has the next run build and hold it again.
        const rejected = stillHeld.slice(0, 2).map((r) => r.sourceKey);
        expect(await reviewHeld(ctx, await store(), 'reject', rejected)).toMatchObject({ changed: rejected, sync: null });
        await shop.sync('manual');
        for (const key of rejected)
          expect((await sales()).find((r) => r.sourceKey === key)).toMatchObject({ status: 'ignored', reasonCode: 'rejected' });
        await unignoreDocument(ctx, await store(), rejected[0]!);
        await shop.sync('manual');
        expect((await sales()).find((r) => r.sourceKey === rejected[0])).toMatchObject({ status: 'held', reasonCode: 'awaiting_review' });
        expect(versions(await saleDocs(shop))).toEqual(versions(afterApproval));

        // 5. Back to automatic posting: the next run posts everything held, once; the rejected one stays out.
        const [row] = await shop.db.db.select().from(stores).where(eq(stores.id, shop.world.storeId));
        await shop.db.db
          .update(stores)
          .set({ settings: { ...row!.settings, posting: 'auto' } })
          .where(eq(stores.id, shop.world.storeId));
        const auto = await shop.sync('manual');
        expect(auto.failed).toBe(0);
        const after = await sales();
        expect(after.filter((r) => r.status === 'held')).toEqual([]);
        const books = await saleDocs(shop);
        const posted = after.filter((r) => r.qboId && r.status !== 'voided').map((r) => r.sourceKey.replace(/^order:/, ''));
        expect([...books.documentsByOrder.keys()].sort()).toEqual(posted.sort());
        expect(posted).toHaveLength(held.length - 1);
        expect(books.documentsByOrder.has(rejected[1]!.replace(/^order:/, ''))).toBe(false);
        // The three approved earlier were not touched again.
        for (const v of versions(afterApproval)) expect(versions(books)).toContain(v);
        // A second run in auto adds nothing.
        await shop.sync('manual');
        expect(versions(await saleDocs(shop))).toEqual(versions(books));
      },
      usSettings({ posting: 'review' }),
    ));
});
