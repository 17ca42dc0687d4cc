/**
 * Switching payouts on finds or creates their accounts and vendor in the QBO company (services/stores/payout-accounts.ts),
 * against the QBO emulator through the real client: the only Bank account is the payout bank, existing "Shopify …"
 * accounts are reused, the others created once (a second resolution creates nothing), a wrong id or an ambiguous bank
 * is refused with the setting's path, before anything is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { qboRateWindowStore } from '../../db/queries';
import { SettingsValidationError } from '../../domain/errors';
import { usSettings } from '../support/sync-fixture';
import { DEFAULT_ACCOUNT_IDS as A, defaultCompany, startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { createQboClient, type QboClient } from '../../integrations/qbo/client';
import { createQboLimiter } from '../../integrations/qbo/limiter';
import { resolvePayoutAccounts } from '../../services/stores/payout-accounts';
import { pgliteDatabase } from '../support/db';
import { logger } from '../integrations/helpers';

let emu: QboEmulatorHandle;
let db: Database;

async function client(realmId: string): Promise<QboClient> {
  const issued = emu.admin.issueTokens(realmId);
  return createQboClient({
    realmId,
    tokens: { storeId: realmId, accessToken: async () => issued.accessToken },
    endpoint: emu.v3Endpoint,
    limiter: createQboLimiter({
      store: qboRateWindowStore(db.db),
      clock: () => new Date(),
      limits: { requestsPerWindow: 10_000, batchesPerWindow: 1000, windowMs: 1000 },
    }),
    logger,
  });
}

const payouts = (over: Record<string, unknown> = {}) => ({ ...usSettings().payouts, ...over });

beforeAll(async () => {
  db = await pgliteDatabase();
  emu = await startQboEmulator({
    companies: [
      defaultCompany({ realmId: '9130350000000301', country: 'US' }),
      defaultCompany({ realmId: '9130350000000302', country: 'US' }),
    ],
  });
}, 60_000);

afterAll(async () => {
  await emu?.close();
  await db?.close();
});

describe('payout accounts when payouts are switched on', () => {
  it('resolves nothing while payouts are off', async () => {
    const qbo = await client('9130350000000301');
    const before = (await qbo.query('Account')).length;
    const r = await resolvePayoutAccounts(qbo, payouts());
    expect(r.resolved).toEqual({});
    expect((await qbo.query('Account')).length).toBe(before);
  });

  it('uses the only Bank account, reuses the Shopify accounts the company has, creates the rest once', async () => {
    const qbo = await client('9130350000000301');
    const before = (await qbo.query('Account')).length;
    const first = await resolvePayoutAccounts(qbo, payouts({ enabled: true }));
    expect(first.payouts).toMatchObject({
      bankAccountId: A.checking,
      clearingAccountId: A.shopifyClearing,
      reserveAccountId: A.shopifyReserve,
    });
    expect(first.resolved.bankAccountId?.source).toBe('found');
    const created = Object.entries(first.resolved)
      .filter(([, v]) => v?.source === 'created')
      .map(([k]) => k)
      .sort();
    expect(created).toEqual(
      expect.arrayContaining(['adjustmentsAccountId', 'billingAccountId', 'capitalAccountId', 'shippingLabelsAccountId']),
    );
    const chart = await qbo.query('Account');
    expect(chart.length).toBe(before + created.filter((k) => k !== 'feeVendorId').length);
    const capital = chart.find((a) => String(a.Id) === first.payouts.capitalAccountId);
    expect(capital).toMatchObject({ Name: 'Shopify Capital', AccountType: 'Other Current Liability' });
    // A retried connect (or the same settings saved again) finds what the first made.
    const second = await resolvePayoutAccounts(qbo, payouts({ enabled: true }));
    expect(second.payouts).toEqual(first.payouts);
    expect(Object.values(second.resolved).every((v) => v?.source !== 'created')).toBe(true);
    expect((await qbo.query('Account')).length).toBe(chart.length);
  });

  it('refuses a wrong id and an ambiguous bank by path, before creating anything', async () => {
    const qbo = await client('9130350000000302');
    await qbo.create('Account', { Name: 'Savings', AccountType: 'Bank', AccountSubType: 'Savings' }, { requestId: 'll-test-savings' });
    const before = (await qbo.query('Account')).length;
    const err = await resolvePayoutAccounts(qbo, payouts({ enabled: true, reserveAccountId: A.shopifyFees })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SettingsValidationError);
    const issues = (err as SettingsValidationError).issues.map((i) => i.path).sort();
    expect(issues).toEqual(['payouts.bankAccountId', 'payouts.reserveAccountId']);
    expect((err as SettingsValidationError).message).toMatch(/2 Bank accounts/);
    expect((await qbo.query('Account')).length).toBe(before);
    const named = await resolvePayoutAccounts(qbo, payouts({ enabled: true, bankAccountId: A.checking }));
    expect(named.payouts.bankAccountId).toBe(A.checking);
  });
});
