import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_IDS as I, startQboEmulator } from '../../../emulators/qbo';
import { connect, faultOf, itemLine, start, type Started } from './helpers';

const json = async (res: Response): Promise<any> => res.json();

describe('QBO emulator: company files, seedDir and stateFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qbo-emulator-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every company file in seedDir, ignores other JSON, and fills missing lists from the default company', async () => {
    const seeds = join(dir, 'seeds');
    mkdirSync(seeds);
    writeFileSync(
      join(seeds, 'maple.json'),
      JSON.stringify({ qboCompany: { realmId: '111', companyName: 'Maple Goods', country: 'CA' }, oauth: { refreshToken: 'rt-111' } }),
    );
    writeFileSync(join(seeds, 'settings.json'), JSON.stringify({ hello: 'not a company' }));
    writeFileSync(join(seeds, 'notes.txt'), 'ignored');
    const emu = await startQboEmulator({ seedDir: seeds, limits: false });
    try {
      expect(emu.admin.companies()).toEqual(['111']);
      const qbo = connect(emu, '111', { realmId: '111', accessToken: 'none', refreshToken: 'rt-111', authCode: '' });
      await qbo.call('refreshAccessToken');
      expect((await qbo.call('getCompanyInfo', '111')).CompanyName).toBe('Maple Goods');
      const codes = await qbo.call('findTaxCodes', { Name: 'HST ON' });
      expect(codes.QueryResponse.TaxCode[0].SalesTaxRateList.TaxRateDetail).toHaveLength(1);
    } finally {
      await emu.close();
    }
  });

  it('checks seeded lists like API creates, so a broken company file fails at start', async () => {
    const broken = {
      qboCompany: {
        realmId: '222',
        companyName: 'Broken',
        country: 'US',
        accounts: [{ Id: '1', Name: 'Sales', AccountType: 'Income' }],
        items: [{ Id: '2', Name: 'Thing', Type: 'Service', IncomeAccountRef: { value: '99' } }],
      },
    };
    await expect(startQboEmulator({ companies: [broken as any] })).rejects.toMatchObject({ code: '2500' });
  });

  it('writes its state on close and picks it up at the next start, tokens included', async () => {
    const stateFile = join(dir, 'state', 'qbo.json');
    const first = await start({}, { stateFile });
    const sr = await first.qbo.call('createSalesReceipt', { DocNumber: 'KEEP-1', Line: [itemLine(I.service, 1, 5, 5, 'NON')] });
    const oldRefresh = first.qbo.client.refreshToken as string;
    const { refresh_token: latest } = await first.qbo.call('refreshAccessToken');
    await first.emu.close();
    const second = await startQboEmulator({ stateFile, limits: false });
    try {
      const qbo = connect(second, first.realmId, { realmId: first.realmId, accessToken: 'none', refreshToken: latest, authCode: '' });
      await qbo.call('refreshAccessToken');
      expect((await qbo.call('getSalesReceipt', sr.Id)).DocNumber).toBe('KEEP-1');
      const stale = connect(second, first.realmId, { realmId: first.realmId, accessToken: 'none', refreshToken: oldRefresh, authCode: '' });
      expect((await faultOf(stale.call('refreshAccessToken'))).code).toBe('invalid_grant');
    } finally {
      await second.close();
    }
  });
});

describe('QBO emulator: the admin HTTP API', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(() => s.emu.close());

  const admin = (path: string, method = 'GET', body?: unknown): Promise<Response> =>
    fetch(`${s.emu.url}/_emulator/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  it('creates a company and hands back tokens that work', async () => {
    const res = await admin('companies', 'POST', { realmId: '4242', country: 'GB' });
    expect(res.status).toBe(201);
    const issued = await json(res);
    expect(issued).toMatchObject({
      realmId: '4242',
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      authCode: expect.any(String),
    });
    const qbo = connect(s.emu, '4242', issued);
    expect((await qbo.call('getPreferences')).CurrencyPrefs.HomeCurrency.value).toBe('GBP');
    const summary = await json(await admin('companies/4242'));
    expect(summary).toMatchObject({ realmId: '4242', country: 'GB', automatedSalesTax: false });
    expect((await admin('companies', 'POST', { realmId: '4242' })).status).toBe(400);
  });

  it('logs each API request with its realm, entity, operation, requestid, status and fault code', async () => {
    await admin('requests', 'DELETE');
    await s.qbo.call('createSalesReceipt', { requestId: 'log-1', Line: [itemLine(I.service, 1, 5, 5, 'NON')] });
    await faultOf(s.qbo.call('createCustomer', { DisplayName: 'Shopify Customer' }));
    const { requests } = await json(await admin(`requests?realmId=${s.realmId}`));
    expect(requests.map((r: any) => [r.method, r.entity, r.operation, r.requestId, r.status, r.faultCode])).toEqual([
      ['POST', 'SalesReceipt', 'create', 'log-1', 200, null],
      ['POST', 'Customer', 'create', null, 400, '6240'],
    ]);
    expect(requests[0]).toMatchObject({
      realmId: s.realmId,
      path: `/v3/company/${s.realmId}/salesreceipt`,
      replayed: false,
      dropped: false,
    });
  });

  it('shows and advances the emulator clock, which expires access tokens', async () => {
    const before = await json(await admin('clock'));
    const after = await json(await admin('clock/advance', 'POST', { seconds: 3601 }));
    expect(after.offsetMs - before.offsetMs).toBe(3_601_000);
    expect((await faultOf(s.qbo.call('getPreferences'))).status).toBe(401);
  });

  it('resets to the configured companies with their seeded tokens', async () => {
    const fresh = connect(s.emu, s.realmId);
    await fresh.call('createSalesReceipt', { DocNumber: 'WIPE-1', Line: [itemLine(I.service, 1, 5, 5, 'NON')] });
    const res = await admin('reset', 'POST');
    expect(await json(res)).toEqual({ companies: [s.realmId] });
    expect((await faultOf(fresh.call('getPreferences'))).status).toBe(401);
    const seeded = connect(s.emu, s.realmId, {
      realmId: s.realmId,
      accessToken: `AT-${s.realmId}-seed`,
      refreshToken: `RT-${s.realmId}-seed`,
      authCode: '',
    });
    expect((await seeded.call('findSalesReceipts', { DocNumber: 'WIPE-1' })).QueryResponse).toEqual({});
  });
});
