import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { stores } from '../../db/schema';
import { QBO_THROTTLE_RETRY_AFTER_MS, QboThrottledError, QboValidationError, TransientUpstreamError } from '../../domain/errors';
import {
  DEFAULT_ACCOUNT_IDS as A,
  DEFAULT_ITEM_IDS as I,
  defaultCompany,
  startQboEmulator,
  type QboEmulatorHandle,
} from '../../emulators/qbo';
import { createQboClient, type QboClient } from '../../integrations/qbo/client';
import { createQboLimiter } from '../../integrations/qbo/limiter';
import { createTokenProvider } from '../../integrations/qbo/tokens';
import { pgliteDatabase } from '../support/db';
import { credentialsRow, insertStore, logger, testCipher } from './helpers';
import { qboCredentialStore, qboRateWindowStore } from '../../db/queries';

const REALM = '9130350000000201';
const OTHER_REALM = '9130350000000202';
const HOUR = 3_600_000;

let emu: QboEmulatorHandle;
let database: Database;
const cipher = testCipher();

/** Stores the realm's freshly issued tokens (as the connect flow would) and builds its client. */
async function connect(storeId: string, realmId: string): Promise<QboClient> {
  const issued = emu.admin.issueTokens(realmId);
  await insertStore(database.db, cipher, {
    storeId,
    realmId,
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    refreshToken: issued.refreshToken,
    accessToken: issued.accessToken,
    accessTokenExpiresAt: new Date(Date.now() + HOUR),
  });
  const clock = () => new Date();
  const tokens = createTokenProvider({ store: qboCredentialStore(database.db), cipher, storeId, tokenUrl: emu.tokenUrl, clock, logger });
  const limiter = createQboLimiter({
    store: qboRateWindowStore(database.db),
    clock,
    limits: { requestsPerWindow: 1000, batchesPerWindow: 100, windowMs: 1000 },
  });
  return createQboClient({ realmId, tokens, endpoint: emu.v3Endpoint, limiter, logger });
}

const line = (itemId: string, qty: number, unitPrice: number, amount: number) => ({
  DetailType: 'SalesItemLineDetail',
  Amount: amount,
  SalesItemLineDetail: { ItemRef: { value: itemId }, Qty: qty, UnitPrice: unitPrice, TaxCodeRef: { value: 'NON' } },
});
const receipt = (docNumber: string) => ({
  DocNumber: docNumber,
  DepositToAccountRef: { value: A.undepositedFunds },
  Line: [line(I.service, 2, 5, 10), line(I.shipping, 1, 4.5, 4.5)],
});

let qbo: QboClient;

beforeAll(async () => {
  emu = await startQboEmulator({
    companies: [defaultCompany({ realmId: REALM, country: 'US' }), defaultCompany({ realmId: OTHER_REALM, country: 'US' })],
    limits: false,
  });
  database = await pgliteDatabase();
});

afterAll(async () => {
  await database.close();
  await emu.close();
});

beforeEach(async () => {
  emu.admin.clearFaults();
  emu.admin.clearRequestLog();
  await database.db.delete(stores);
  qbo = await connect('store-a', REALM);
});

describe('QBO client', () => {
  it('creates one document for two creates with the same requestId', async () => {
    const first = await qbo.create('SalesReceipt', receipt('IDEM-1'), { requestId: 'ledgerline-idem-1' });
    const second = await qbo.create('SalesReceipt', receipt('IDEM-1'), { requestId: 'ledgerline-idem-1' });
    expect(second.Id).toBe(first.Id);
    expect(first.TotalAmt).toBe(14.5);
    expect(await qbo.query('SalesReceipt', "DocNumber = 'IDEM-1'")).toHaveLength(1);
  });

  it('gets the committed document back by replaying the requestId after the answer was lost', async () => {
    emu.admin.setFaults([{ match: 'SalesReceipt:create', commitThenDrop: true, times: 1 }]);
    const lost = await qbo.create('SalesReceipt', receipt('DROP-1'), { requestId: 'ledgerline-drop-1' }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(TransientUpstreamError);
    const replayed = await qbo.create('SalesReceipt', receipt('DROP-1'), { requestId: 'ledgerline-drop-1' });
    expect(await qbo.query('SalesReceipt', "DocNumber = 'DROP-1'")).toEqual([expect.objectContaining({ Id: replayed.Id })]);
  });

  it('turns a ValidationFault into QboValidationError carrying QBO’s code and message', async () => {
    const error = await qbo
      .create('SalesReceipt', { ...receipt('BAD-1'), NotAField: 1 }, { requestId: 'ledgerline-bad-1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QboValidationError);
    const fault = error as QboValidationError;
    expect(fault.retryable).toBe(false);
    expect(fault.details).toMatchObject({ code: '2010', message: 'Request has invalid or unsupported property', realmId: REALM });
    expect(fault.message).toContain('2010');
  });

  it('turns HTTP 429 into QboThrottledError with Intuit’s 60-second wait', async () => {
    emu.admin.setFaults([{ match: '*', rate429: 1 }]);
    const error = await qbo.companyInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QboThrottledError);
    expect((error as QboThrottledError).retryAfterMs).toBe(QBO_THROTTLE_RETRY_AFTER_MS);
    expect((error as QboThrottledError).retryAfterMs).toBe(60_000);
  });

  it('turns a server error into TransientUpstreamError', async () => {
    emu.admin.setFaults([{ match: '*', rate5xx: 1 }]);
    await expect(qbo.preferences()).rejects.toBeInstanceOf(TransientUpstreamError);
  });

  it('refreshes the token once after a 401 and completes the call', async () => {
    emu.admin.expireTokens(REALM, 'access');
    emu.admin.clearRequestLog();
    const info = await qbo.companyInfo();
    expect(info.CompanyName).toEqual(expect.any(String));
    expect(emu.admin.requestLog({ realmId: REALM }).map((r) => r.status)).toEqual([401, 200]);
    expect((await credentialsRow(database.db, 'store-a')).version).toBe(1);
  });

  it('keeps the tokens of two stores apart when their calls run concurrently', async () => {
    const other = await connect('store-b', OTHER_REALM);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? qbo : other).companyInfo()));
    expect(results).toHaveLength(6);
    expect(emu.admin.requestLog().filter((r) => r.status === 401)).toEqual([]);
  });

  it('returns per-item batch results, with a faulty item as a QboValidationError instead of a failure', async () => {
    const results = await qbo.batch([
      { bId: 'ok', operation: 'create', SalesReceipt: receipt('BATCH-OK') },
      { bId: 'bad', operation: 'create', SalesReceipt: { ...receipt('BATCH-BAD'), Line: [line('999999', 1, 1, 1)] } },
      { bId: 'q', Query: "select * from Item where Name = 'Shipping'" },
    ]);
    expect(results.map((r) => r.bId)).toEqual(['ok', 'bad', 'q']);
    expect(results[0]).toMatchObject({ entityName: 'SalesReceipt', entity: { DocNumber: 'BATCH-OK', TotalAmt: 14.5 } });
    expect(results[1]!.fault).toBeInstanceOf(QboValidationError);
    expect(results[1]!.fault!.details).toMatchObject({ code: '2500' });
    expect(results[2]!.queryResponse).toMatchObject({ Item: [expect.objectContaining({ Id: I.shipping })] });
  });

  it('refuses a batch of more than 30 items before sending it', async () => {
    const items = Array.from({ length: 31 }, (_, i) => ({ bId: String(i), Query: 'select * from Item' }));
    await expect(qbo.batch(items)).rejects.toMatchObject({ name: 'InvalidInputError' });
  });

  it('reads, updates sparsely and voids a sales receipt', async () => {
    const created = await qbo.create('SalesReceipt', receipt('CYCLE-1'), { requestId: 'ledgerline-cycle-1' });
    const read = await qbo.read('SalesReceipt', String(created.Id));
    expect(read).toEqual(created);
    const updated = await qbo.update('SalesReceipt', { Id: created.Id, SyncToken: created.SyncToken, PrivateNote: 'from Ledgerline' });
    expect(updated).toMatchObject({ PrivateNote: 'from Ledgerline', DocNumber: 'CYCLE-1', SyncToken: '1' });
    const voided = await qbo.void('SalesReceipt', { Id: updated.Id, SyncToken: updated.SyncToken });
    expect(voided.TotalAmt).toBe(0);
  });

  it('voids an invoice and returns the invoice itself', async () => {
    const invoice = await qbo.create(
      'Invoice',
      { CustomerRef: { value: '40' }, Line: [line(I.service, 4, 5, 20)] },
      { requestId: 'ledgerline-inv-1' },
    );
    const voided = await qbo.void('Invoice', { Id: invoice.Id, SyncToken: invoice.SyncToken });
    expect(voided).toMatchObject({ Id: invoice.Id, TotalAmt: 0 });
  });

  it('queries with a where clause and reads preferences, company info and the trial balance', async () => {
    expect(await qbo.query('Item', "Sku = 'TEE-BLU-M'")).toEqual([expect.objectContaining({ Id: I.tee })]);
    expect((await qbo.query('Account')).length).toBeGreaterThan(10);
    expect(await qbo.preferences()).toHaveProperty('SalesFormsPrefs');
    expect(await qbo.companyInfo()).toHaveProperty('CompanyName');
    const report = await qbo.reportTrialBalance({ start_date: '2026-01-01', end_date: '2026-12-31' });
    expect(report).toHaveProperty('Header.ReportName', 'TrialBalance');
  });
});
