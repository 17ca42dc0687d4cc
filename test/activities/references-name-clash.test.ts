/**
 * Issue #12 item 6: QBO's 6240 Duplicate Name names no Id ("The name supplied already exists. : null",
 * docs/qbo-facts.md §7), so the reference resolver finds the holder by query, inactive ones included, and
 * adopts it instead of creating a second Item or Customer. Runs the real resolver against the QBO emulator
 * (through node-quickbooks) and a real database, and reads QBO back.
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

const REALM = '9130000000000612';
let emu: QboEmulatorHandle;
let database: Database;
let qbo: QboClient;

beforeAll(async () => {
  emu = await startQboEmulator({ companies: [defaultCompany({ realmId: REALM, country: 'US', automatedSalesTax: true })] });
  database = await pgliteDatabase();
  for (const id of ['a', 'b', 'c', 'd']) {
    await database.db.insert(stores).values({
      id: `store-6240-${id}`,
      shopDomain: `shop-6240-${id}.myshopify.com`,
      qboRealmId: REALM,
      settings: usSettings(),
      startDate: new Date('2000-01-01T00:00:00Z'),
    });
  }
  const issued = emu.admin.issueTokens(REALM);
  qbo = createQboClient({
    realmId: REALM,
    tokens: { storeId: 'test', accessToken: async () => issued.accessToken },
    endpoint: emu.v3Endpoint,
    limiter: createQboLimiter({ store: qboRateWindowStore(database.db), clock: () => new Date(), limits: UNPACED }),
    logger: silentLogger,
  });
}, 30_000);

afterAll(async () => {
  await emu?.close();
  await database?.close();
});

const skuItem = (sku: string, name: string): ItemReference => ({
  key: { by: 'sku', sku },
  keyId: `sku:${sku}`,
  lineItemIds: [],
  create: { Name: name, Type: 'NonInventory', Sku: sku, IncomeAccountRef: { value: A.salesOfProduct } },
  nameCandidates: [name, `${name} ~${sku}`],
});

const plan = (items: ItemReference[], customer: OrderReferencePlan['customer']): OrderReferencePlan => ({
  items,
  categories: [],
  customer,
  deposit: null,
});

const generic: OrderReferencePlan['customer'] = { kind: 'generic', displayName: 'Shopify Customer' };

describe('a name QBO already holds (6240 names no Id)', () => {
  it("adopts a bookkeeper's Item of the same name (no SKU) instead of creating a second one", async () => {
    const own = await qbo.create(
      'Item',
      { Name: 'Ceramic Mug', Type: 'NonInventory', IncomeAccountRef: { value: A.salesOfProduct } },
      {
        requestId: 'bookkeeper-mug',
      },
    );
    const p = plan([skuItem('MUG-1', 'Ceramic Mug')], generic);
    const outcome = await resolveReferences(database.db, qbo, 'store-6240-a', [p]);
    expect(outcome.problemsFor(p)).toEqual([]);
    expect(outcome.refsFor(p).items['sku:MUG-1']).toBe(String(own.Id));
    const mugs = await qbo.query('Item', "Name LIKE 'Ceramic Mug%' AND Active IN (true, false)");
    expect(mugs.map((i) => i.Id)).toEqual([own.Id]);
  });

  it('moves to the next name when the same-named Item is another product (another SKU)', async () => {
    await qbo.create(
      'Item',
      { Name: 'Linen Apron', Sku: 'APRON-OTHER', Type: 'NonInventory', IncomeAccountRef: { value: A.salesOfProduct } },
      { requestId: 'bookkeeper-apron' },
    );
    const p = plan([skuItem('APRON-1', 'Linen Apron')], generic);
    const outcome = await resolveReferences(database.db, qbo, 'store-6240-b', [p]);
    const id = outcome.refsFor(p).items['sku:APRON-1'];
    expect(id).toBeTruthy();
    expect(await qbo.read('Item', id!)).toMatchObject({ Name: 'Linen Apron ~APRON-1', Sku: 'APRON-1' });
  });

  it('reports an inactive Item holding the name for a person, and neither uses it nor creates another', async () => {
    const old = await qbo.create(
      'Item',
      { Name: 'Enamel Pin', Type: 'NonInventory', IncomeAccountRef: { value: A.salesOfProduct } },
      {
        requestId: 'bookkeeper-pin',
      },
    );
    await qbo.update('Item', { Id: old.Id, SyncToken: old.SyncToken, Active: false });
    const p = plan([skuItem('PIN-1', 'Enamel Pin')], generic);
    const outcome = await resolveReferences(database.db, qbo, 'store-6240-c', [p]);
    expect(outcome.refsFor(p).items['sku:PIN-1']).toBeUndefined();
    expect(outcome.problemsFor(p)).toEqual([
      `SKU PIN-1: QBO has an inactive Item "Enamel Pin" (Id ${String(old.Id)}): make it active in QBO, or rename it, and the next run uses it`,
    ]);
    const pins = await qbo.query('Item', "Name LIKE 'Enamel Pin%' AND Active IN (true, false)");
    expect(pins.map((i) => [i.Id, i.Active])).toEqual([[old.Id, false]]);
  });

  it('reports an inactive Customer holding the name, and takes the next name when a Vendor holds it', async () => {
    // An inactive customer is not found by the plain look-up; creating gives 6240 and the query finds it.
    const inactive = await qbo.create('Customer', { DisplayName: 'Grace Hopper' }, { requestId: 'bookkeeper-grace' });
    await qbo.update('Customer', { Id: inactive.Id, SyncToken: inactive.SyncToken, Active: false });
    const grace: OrderReferencePlan['customer'] = {
      kind: 'customer',
      shopifyCustomerId: 'gid://shopify/Customer/5',
      email: null,
      displayNameCandidates: ['Grace Hopper', 'Grace Hopper (Shopify 5)'],
      givenName: 'Grace',
      familyName: 'Hopper',
    };
    const p1 = plan([], grace);
    const first = await resolveReferences(database.db, qbo, 'store-6240-d', [p1]);
    expect(first.refsFor(p1).customerId).toBe('');
    expect(first.problemsFor(p1)[0]).toMatch(/^customer: QBO has an inactive Customer "Grace Hopper"/);

    await qbo.create('Vendor', { DisplayName: 'Alan Turing' }, { requestId: 'bookkeeper-alan' });
    const alan: OrderReferencePlan['customer'] = {
      ...grace,
      shopifyCustomerId: 'gid://shopify/Customer/6',
      displayNameCandidates: ['Alan Turing', 'Alan Turing (Shopify 6)'],
    };
    const p2 = plan([], alan);
    const second = await resolveReferences(database.db, qbo, 'store-6240-d', [p2]);
    const id = second.refsFor(p2).customerId;
    expect(await qbo.read('Customer', id)).toMatchObject({ DisplayName: 'Alan Turing (Shopify 6)' });
  });
});
