import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCompany, type QboEmulatorHandle } from '../../../emulators/qbo';
import { connect, faultOf, start, type Started } from './helpers';

const basic = (emu: QboEmulatorHandle, secret = emu.clientSecret): string =>
  `Basic ${Buffer.from(`${emu.clientId}:${secret}`).toString('base64')}`;

async function postToken(emu: QboEmulatorHandle, form: Record<string, string>, secret?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { Authorization: basic(emu, secret), 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.json() };
}

describe('QBO emulator: OAuth 2 (docs/qbo-facts.md §3)', () => {
  let s: Started;
  const otherRealm = '9130350000000009';
  beforeAll(async () => {
    s = await start({}, { companies: [defaultCompany({ realmId: otherRealm, country: 'CA' })] });
  });
  afterAll(() => s.emu.close());

  it('rotates the refresh token on every refresh; the old one then answers invalid_grant', async () => {
    const qbo = connect(s.emu, s.realmId);
    const old = qbo.client.refreshToken as string;
    const refreshed = await qbo.call('refreshAccessToken');
    expect(refreshed).toMatchObject({ token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8_726_400 });
    expect(refreshed.refresh_token).not.toBe(old);
    expect(qbo.client.refreshToken).toBe(refreshed.refresh_token);
    expect((await qbo.call('getPreferences')).Id).toBe('1');
    const stale = await postToken(s.emu, { grant_type: 'refresh_token', refresh_token: old });
    expect(stale).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    const again = await qbo.call('refreshAccessToken');
    expect(again.refresh_token).not.toBe(refreshed.refresh_token);
  });

  it('answers 401 in the lower-case AUTHENTICATION shape once the access token is an hour old', async () => {
    const qbo = connect(s.emu, s.realmId);
    s.emu.admin.clock.advance(3_599_000);
    expect((await qbo.call('getPreferences')).Id).toBe('1');
    s.emu.admin.clock.advance(2_000);
    const fault = await faultOf(qbo.call('getPreferences'));
    expect(fault.status).toBe(401);
    expect(fault.body.fault.type).toBe('AUTHENTICATION');
    expect(fault.body.fault.error[0]).toMatchObject({
      code: '3200',
      message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
    });
    expect(fault.detail).toMatch(/^Token expired/);
    await qbo.call('refreshAccessToken');
    expect((await qbo.call('getPreferences')).Id).toBe('1');
  });

  it('answers 401 invalid_client for wrong client credentials', async () => {
    expect(await postToken(s.emu, { grant_type: 'refresh_token', refresh_token: 'whatever' }, 'wrong-secret')).toEqual({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });

  it('exchanges an authorization code issued by the admin API, once', async () => {
    const { authCode } = s.emu.admin.issueTokens(s.realmId);
    const first = await postToken(s.emu, { grant_type: 'authorization_code', code: authCode, redirect_uri: 'http://localhost/callback' });
    expect(first.status).toBe(200);
    const qbo = connect(s.emu, s.realmId, {
      realmId: s.realmId,
      accessToken: first.body.access_token,
      refreshToken: first.body.refresh_token,
      authCode,
    });
    expect((await qbo.call('getCompanyInfo', s.realmId)).Id).toBe('1');
    expect(await postToken(s.emu, { grant_type: 'authorization_code', code: authCode })).toEqual({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('ends the whole grant when a token is revoked', async () => {
    const qbo = connect(s.emu, s.realmId);
    const refreshToken = qbo.client.refreshToken as string;
    const token = qbo.client.token;
    await qbo.call('revokeAccess', true);
    qbo.client.token = token;
    expect((await faultOf(qbo.call('getPreferences'))).status).toBe(401);
    expect(await postToken(s.emu, { grant_type: 'refresh_token', refresh_token: refreshToken })).toEqual({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('expires tokens on demand through the admin API', async () => {
    const qbo = connect(s.emu, s.realmId);
    expect(s.emu.admin.expireTokens(s.realmId, 'access')).toBeGreaterThan(0);
    expect((await faultOf(qbo.call('getPreferences'))).status).toBe(401);
  });

  it("refuses another company's access token", async () => {
    const other = s.emu.admin.issueTokens(otherRealm);
    const qbo = connect(s.emu, s.realmId, { ...other, realmId: s.realmId });
    const fault = await faultOf(qbo.call('getPreferences'));
    expect(fault.status).toBe(401);
  });
});

describe('QBO emulator: refresh tokens without rotation', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start({}, { rotateRefreshTokens: false });
  });
  afterAll(() => s.emu.close());

  it('returns the same refresh token and keeps it valid', async () => {
    const qbo = connect(s.emu, s.realmId);
    const old = qbo.client.refreshToken;
    expect((await qbo.call('refreshAccessToken')).refresh_token).toBe(old);
    expect((await qbo.call('refreshAccessToken')).refresh_token).toBe(old);
  });
});
