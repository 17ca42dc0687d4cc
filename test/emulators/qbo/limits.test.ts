import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_IDS as I, defaultCompany } from '../../../emulators/qbo';
import { connect, faultOf, itemLine, start, type Started } from './helpers';

const FROZEN = Date.parse('2026-11-27T12:00:00Z');
const statusOf = async (promise: Promise<unknown>): Promise<number> =>
  promise.then(
    () => 200,
    (err: any) => err?.response?.status ?? 0,
  );

describe('QBO emulator: throttling (docs/qbo-facts.md §1)', () => {
  let s: Started | undefined;
  afterEach(async () => {
    await s?.emu.close();
    s = undefined;
  });

  it('answers 429 ThrottleExceeded past the per-minute limit and admits again once the window has passed', async () => {
    s = await start({}, { limits: { requestsPerMinute: 5 }, timeScale: 600, clock: () => FROZEN });
    for (let i = 0; i < 5; i += 1) await s.qbo.call('getPreferences');
    const fault = await faultOf(s.qbo.call('getPreferences'));
    expect(fault.status).toBe(429);
    expect(fault.body.Fault).toEqual({
      // As recorded: test/fixtures/qbo-recorded/quickbooks-ruby/too_many_requests_error.xml.
      Error: [
        {
          Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
          Detail: 'The request limit was reached.  Try again later',
          code: '3001',
        },
      ],
      type: 'SERVICE',
    });
    s.emu.admin.clock.advance(101);
    expect((await s.qbo.call('getPreferences')).Id).toBe('1');
    // The admin counts every answer by status, past the request log's bound too (bench:fleet reads its 429s here).
    expect(s.emu.admin.requestCounts()).toMatchObject({ 200: 6, 429: 1 });
    s.emu.admin.clearRequestLog();
    expect(s.emu.admin.requestCounts()).toEqual({});
  });

  it('applies the documented 500 requests per minute by default, per realm, compressed by timeScale', async () => {
    // A frozen base clock: the window moves only when the test advances it, however slow the machine.
    s = await start(
      {},
      { limits: true, timeScale: 10, clock: () => FROZEN, companies: [defaultCompany({ realmId: '77', country: 'GB' })] },
    );
    const { qbo } = s;
    for (let round = 0; round < 50; round += 1) await Promise.all(Array.from({ length: 10 }, () => qbo.call('getPreferences')));
    expect(await statusOf(qbo.call('getPreferences'))).toBe(429);
    expect(await statusOf(connect(s.emu, '77').call('getPreferences'))).toBe(200);
    s.emu.admin.clock.advance(5_999);
    expect(await statusOf(qbo.call('getPreferences'))).toBe(429);
    s.emu.admin.clock.advance(2);
    expect(await statusOf(qbo.call('getPreferences'))).toBe(200);
  });

  it('admits 40 batch requests a minute while plain requests still pass', async () => {
    s = await start({}, { limits: true });
    for (let i = 0; i < 40; i += 1) await s.qbo.call('batch', [{ bId: '1', Query: 'select * from Term' }]);
    expect(await statusOf(s.qbo.call('batch', [{ bId: '1', Query: 'select * from Term' }]))).toBe(429);
    expect(await statusOf(s.qbo.call('getPreferences'))).toBe(200);
  });

  it('allows at most 10 concurrent requests per realm', async () => {
    s = await start({}, { limits: true, faults: [{ match: 'Preferences:read', latencyMs: 1000 }] });
    const { qbo } = s;
    const statuses = await Promise.all(Array.from({ length: 11 }, () => statusOf(qbo.call('getPreferences'))));
    expect(statuses.filter((x) => x === 200)).toHaveLength(10);
    expect(statuses.filter((x) => x === 429)).toHaveLength(1);
  });

  it('does not throttle at all with limits: false', async () => {
    s = await start({}, { limits: false, faults: [{ match: 'Preferences:read', latencyMs: 100 }] });
    const { qbo } = s;
    const statuses = await Promise.all(Array.from({ length: 25 }, () => statusOf(qbo.call('getPreferences'))));
    expect(statuses.every((x) => x === 200)).toBe(true);
  });
});

describe('QBO emulator: fault injection', () => {
  const emulators: Started[] = [];
  afterAll(async () => {
    for (const s of emulators) await s.emu.close();
  });
  const started = async (...args: Parameters<typeof start>): Promise<Started> => {
    const s = await start(...args);
    emulators.push(s);
    return s;
  };

  it('answers a 5xx SystemFault or a 429 for a matching endpoint without touching the books', async () => {
    const s = await started(
      {},
      {
        faults: [
          { match: 'SalesReceipt:create', rate5xx: 1, times: 1 },
          { match: 'SalesReceipt:*', rate429: 1, times: 1 },
        ],
      },
    );
    const body = () => ({ DocNumber: 'FI-1', Line: [itemLine(I.service, 1, 5, 5, 'NON')] });
    const failed = await faultOf(s.qbo.call('createSalesReceipt', body()));
    expect(failed.status).toBe(503);
    expect(failed.body.Fault.type).toBe('SystemFault');
    const throttled = await faultOf(s.qbo.call('createSalesReceipt', body()));
    expect(throttled.status).toBe(429);
    expect((await s.qbo.call('findSalesReceipts', { DocNumber: 'FI-1' })).QueryResponse).toEqual({});
    expect((await s.qbo.call('createSalesReceipt', body())).DocNumber).toBe('FI-1');
  });

  it('draws its faults from a seeded PRNG, so two runs with one seed fail alike', async () => {
    const rule = [{ match: '*:read', rate5xx: 0.5 }];
    const runs = await Promise.all([started({}, { seed: 7, faults: rule }), started({}, { seed: 7, faults: rule })]);
    const sequences: number[][] = [];
    for (const s of runs) {
      const seen: number[] = [];
      for (let i = 0; i < 20; i += 1) seen.push(await statusOf(s.qbo.call('getPreferences')));
      sequences.push(seen);
    }
    expect(sequences[0]).toEqual(sequences[1]);
    expect(new Set(sequences[0])).toEqual(new Set([200, 503]));
  });

  it('adds rules and clears them over HTTP at /_emulator/faults', async () => {
    const s = await started();
    const post = await fetch(`${s.emu.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ match: 'Preferences:read', rate5xx: 1, status5xx: 500 }),
    });
    expect(post.status).toBe(200);
    expect(await statusOf(s.qbo.call('getPreferences'))).toBe(500);
    await fetch(`${s.emu.url}/_emulator/faults`, { method: 'DELETE' });
    expect(await statusOf(s.qbo.call('getPreferences'))).toBe(200);
  });

  it('delays a matching request by latencyMs', async () => {
    const s = await started({}, { faults: [{ match: 'CompanyInfo:read', latencyMs: 250 }] });
    const t0 = performance.now();
    await s.qbo.call('getCompanyInfo', s.realmId);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
  });
});
