/**
 * Issue #12 item 8: matching Shopify SKUs to QBO Items. Shopify SKUs are case-sensitive and may repeat across
 * variants; QBO keeps SKUs unique in no way, and a query by SKU may match without regard to case
 * (docs/qbo-facts.md §4 "Item SKUs"). The real resolver runs against the QBO emulator (node-quickbooks) and a
 * real database, and QBO is read back: an exact SKU is used, a SKU held by several Items or only by an Item
 * whose SKU differs by case is reported (the order is parked with it) and no Item is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveReferences } from '../../activities/sync/references';
import { qboRateWindowStore } from '../../db/queries';
import type { ItemReference, OrderReferencePlan } from '../../domain/mapping';
import { DEFAULT_ACCOUNT_IDS as A, defaultCompany, startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { createQboClient, type QboClient } from '../../integrations/qbo/client';
import { createQboLimiter } from '../../integrations/qbo/limiter';
import type { Database } from '../../db/client';
import { pgliteDatabase } from '../support/db';
import { stores } from '../../db/schema';
import { silentLogger, UNPACED, usSettings } from '../support/sync-fixture';

const REALM = '9130000000000808';
const STORE = 'store-sku';
let emu: QboEmulatorHandle;
let database: Database;
let qbo: QboClient;

beforeAll(async () => {
  emu = await startQboEmulator({ companies: [defaultCompany({ realmId: REALM, country: 'US', automatedSalesTax: true })] });
  database = await pgliteDatabase();
  await database.db.insert(stores).values({
    id: STORE,
    shopDomain: 'shop-sku.myshopify.com',
    qboRealmId: REALM,
    settings: usSettings(),
    startDate: new Date('2000-01-01T00:00:00Z'),
  });
  const issued = emu.admin.issueTokens(REALM);
  qbo = createQboClient({
    realmId: REALM,
    tokens: { storeId: 'test', accessToken: async () => issued.accessToken },
    endpoint: emu.v3Endpoint,
    limiter: createQboLimiter({ store: qboRateWindowStore(database.db), clock: () => new Date(), limits: UNPACED }),
    logger: silentLogger,
  });
}, 120_000);

afterAll(async () => {
  await emu?.close();
  await database?.close();
});

const skuItem = (sku: string, name: string): ItemReference => ({
  key: { by: 'sku', sku },
  keyId: `sku:${sku}`,
  lineItemIds: [],
  create: { Name: name, Type: 'NonInventory', Sku: sku, IncomeAccountRef: { value: A.salesOfProduct } },
  nameCandidates: [name, `${name} (${sku})`],
});

const plan = (items: ItemReference[]): OrderReferencePlan => ({
  items,
  categories: [],
  customer: { kind: 'generic', displayName: 'Shopify Customer' },
  deposit: null,
});

const bookkeeperItem = (Name: string, Sku: string) =>
  qbo.create('Item', { Name, Sku, Type: 'NonInventory', IncomeAccountRef: { value: A.salesOfProduct } }, { requestId: `bk-${Name}` });

/** Every Item (active or not) whose SKU is `sku` in any case, as QBO holds them. */
const itemsWithSku = async (sku: string) =>
  (await qbo.query('Item', 'Active IN (true, false)')).filter((i) => String(i.Sku ?? '').toLowerCase() === sku.toLowerCase());

describe('SKU matching (Shopify SKUs are case-sensitive; QBO may compare without case)', () => {
  it('uses each of two QBO items whose SKUs differ only by case for the Shopify SKU written like it', async () => {
    const lower = await bookkeeperItem('Tote lower', 'tote-1');
    const upper = await bookkeeperItem('Tote upper', 'TOTE-1');
    const p = plan([skuItem('tote-1', 'Tote (Shopify)'), skuItem('TOTE-1', 'Tote big (Shopify)')]);
    const outcome = await resolveReferences(database.db, qbo, STORE, [p]);
    expect(outcome.problemsFor(p)).toEqual([]);
    expect(outcome.refsFor(p).items).toEqual({ 'sku:tote-1': String(lower.Id), 'sku:TOTE-1': String(upper.Id) });
    expect((await itemsWithSku('tote-1')).map((i) => i.Id).sort()).toEqual([lower.Id, upper.Id].sort());
  });

  it('parks a SKU that QBO holds only with another case, naming the item, and creates no second item', async () => {
    const held = await bookkeeperItem('Scarf', 'SCARF-RED');
    const p = plan([skuItem('scarf-red', 'Scarf red (Shopify)')]);
    const outcome = await resolveReferences(database.db, qbo, STORE, [p]);
    expect(outcome.refsFor(p).items['sku:scarf-red']).toBeUndefined();
    const [problem] = outcome.problemsFor(p);
    expect(problem).toContain('SKU scarf-red:');
    expect(problem).toContain(`${String(held.Id)} "Scarf" (SKU "SCARF-RED")`);
    expect(problem).toContain('only by case');
    expect((await itemsWithSku('scarf-red')).map((i) => i.Id)).toEqual([held.Id]);
  });

  it('parks a SKU that several QBO items hold, naming them, rather than taking the first', async () => {
    const one = await bookkeeperItem('Candle A', 'CANDLE-9');
    const two = await bookkeeperItem('Candle B', 'CANDLE-9');
    const p = plan([skuItem('CANDLE-9', 'Candle (Shopify)')]);
    const outcome = await resolveReferences(database.db, qbo, STORE, [p]);
    expect(outcome.refsFor(p).items['sku:CANDLE-9']).toBeUndefined();
    const [problem] = outcome.problemsFor(p);
    expect(problem).toContain('is on 2 QBO items');
    expect(problem).toContain(`${String(one.Id)} "Candle A"`);
    expect(problem).toContain(`${String(two.Id)} "Candle B"`);
    expect((await itemsWithSku('CANDLE-9')).map((i) => i.Id).sort()).toEqual([one.Id, two.Id].sort());
  });

  it('creates the item when no QBO item holds the SKU in any case', async () => {
    const p = plan([skuItem('LAMP-3', 'Lamp (Shopify)')]);
    const outcome = await resolveReferences(database.db, qbo, STORE, [p]);
    expect(outcome.problemsFor(p)).toEqual([]);
    const created = await itemsWithSku('LAMP-3');
    expect(created).toHaveLength(1);
    expect(outcome.refsFor(p).items['sku:LAMP-3']).toBe(String(created[0]!.Id));
  });
});
