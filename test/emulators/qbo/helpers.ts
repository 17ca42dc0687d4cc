import QuickBooks from 'node-quickbooks';
import { toCents } from '../../../emulators/qbo/core/money';
import {
  defaultCompany,
  startQboEmulator,
  type CompanyFile,
  type QboEmulatorHandle,
  type QboEmulatorOptions,
} from '../../../emulators/qbo';

/** Drives the emulator the way Ledgerline does: node-quickbooks over HTTP (docs/qbo-facts.md §6). */
export interface Qbo {
  client: QuickBooks;
  /** Calls a callback-style node-quickbooks method and resolves with its `data`. */
  call<T = any>(method: string, ...args: unknown[]): Promise<T>;
}

export function connect(emu: QboEmulatorHandle, realmId: string, tokens = emu.admin.issueTokens(realmId)): Qbo {
  const client = new QuickBooks(
    emu.clientId,
    emu.clientSecret,
    tokens.accessToken,
    false,
    realmId,
    false,
    false,
    null,
    '2.0',
    tokens.refreshToken,
  );
  client.endpoint = emu.v3Endpoint;
  QuickBooks.TOKEN_URL = emu.tokenUrl;
  QuickBooks.REVOKE_URL = emu.revokeUrl;
  const call = <T>(method: string, ...args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)[method];
      if (typeof fn !== 'function') throw new Error(`node-quickbooks has no ${method}`);
      fn.call(client, ...args, (err: unknown, data: T) => (err ? reject(err) : resolve(data)));
    });
  return { client, call };
}

export interface FaultSeen {
  status: number | undefined;
  code: string | undefined;
  message: string | undefined;
  detail: string | undefined;
  element: string | undefined;
  body: any;
}

/** The Fault of a rejected call: an AxiosError for HTTP ≥ 400, or the body itself for a 200 with a Fault. */
export async function faultOf(promise: Promise<unknown>): Promise<FaultSeen> {
  try {
    await promise;
  } catch (err: any) {
    const body = err?.response?.data ?? err;
    const error = body?.Fault?.Error?.[0] ?? body?.fault?.error?.[0];
    return {
      status: err?.response?.status,
      code: error?.code ?? body?.error,
      message: error?.Message ?? error?.message,
      detail: error?.Detail ?? error?.detail,
      element: error?.element ?? undefined,
      body,
    };
  }
  throw new Error('expected the call to fail');
}

export interface Started {
  emu: QboEmulatorHandle;
  realmId: string;
  qbo: Qbo;
}

export async function start(
  company: Partial<Parameters<typeof defaultCompany>[0]> = {},
  options: QboEmulatorOptions = {},
): Promise<Started> {
  const realmId = company.realmId ?? '9130350000000001';
  const file: CompanyFile = defaultCompany({ country: 'US', ...company, realmId });
  const emu = await startQboEmulator({ limits: false, ...options, companies: [file, ...(options.companies ?? [])] });
  return { emu, realmId, qbo: connect(emu, realmId) };
}

/** A SalesReceipt line for an item: Amount = Qty × UnitPrice. */
export function itemLine(itemId: string, qty: number, unitPrice: number, amount: number, taxCode?: string): Record<string, unknown> {
  return {
    DetailType: 'SalesItemLineDetail',
    Amount: amount,
    SalesItemLineDetail: {
      ItemRef: { value: itemId },
      Qty: qty,
      UnitPrice: unitPrice,
      ...(taxCode ? { TaxCodeRef: { value: taxCode } } : {}),
    },
  };
}

/** A plain HTTP call, for what node-quickbooks cannot send (a requestid on batch, deleting a list entity). */
export async function raw(s: Started, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.emu.v3Endpoint}${s.realmId}/${path}`, {
    method,
    headers: { Authorization: `Bearer ${String(s.qbo.client.token)}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

/** A QBO JSON amount in integer cents, read from its decimal text (tests compare money exactly too). */
export function cents(value: unknown): number {
  const parsed = toCents(value);
  if (parsed === null) throw new Error(`not an amount: ${String(value)}`);
  return parsed;
}
