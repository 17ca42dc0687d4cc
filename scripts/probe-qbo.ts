/**
 * `npm run probe:qbo`: the QBO behaviours Ledgerline depends on (docs/qbo-behaviours.md), each run as a probe
 * against a QBO endpoint through Ledgerline's own QBO client (integrations/qbo: node-quickbooks, the same
 * classification of faults), printing which hold. Against the QBO emulator it runs in `npm test`
 * (test/scripts/probe-qbo.test.ts); against a sandbox company it confirms, in a few minutes, what the emulator
 * only assumes (docs/qbo-behaviours.md "Running the probes against a sandbox company").
 *
 * Everything a probe creates is named or numbered `LL-PROBE-…` / `LLP-…` and removed afterwards: transactions are
 * deleted, list entities (customers, vendors, items: QBO cannot delete them) made inactive. Nothing existing is
 * changed. Probes that would need a flood of requests (throttling) run only against the emulator.
 *
 *   npm run probe:qbo -- --emulator                      # an in-process emulator, no credentials
 *   QBO_PROBE_REALM_ID=… QBO_PROBE_ACCESS_TOKEN=… npm run probe:qbo       # Intuit's sandbox API
 *   npm run probe:qbo -- --endpoint http://127.0.0.1:PORT/v3/company/ --realm … --token … [--emulator-admin http://127.0.0.1:PORT]
 *   … --only fault-invalid-id-2030,update-noop-keeps-synctoken   --list
 *
 * Exit status: 0 when no probe fails (skipped ones do not count), 1 when one does, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { qboLiteral } from '../activities/sync/qbo-helpers';
import { isLedgerlineError, QboThrottledError, QboValidationError } from '../domain/errors';
import { defaultCompany, startQboEmulator } from '../emulators/qbo';
import { createQboClient, type QboClient } from '../integrations/qbo/client';
import { QBO_DEFAULT_LIMITS, type QboLimiter } from '../integrations/qbo/limiter';
import { invoke, quickBooksFor } from '../integrations/qbo/quickbooks';
import type { TokenProvider } from '../integrations/qbo/tokens';

type Entity = Record<string, any>;

export const SANDBOX_ENDPOINT = 'https://sandbox-quickbooks.api.intuit.com/v3/company/';

export interface ProbeTarget {
  /** The v3 base node-quickbooks appends the realm to, e.g. `https://sandbox-quickbooks.api.intuit.com/v3/company/`. */
  endpoint: string;
  realmId: string;
  accessToken: string;
  /** The emulator's base URL (`http://127.0.0.1:PORT`): enables the probes that need its admin API. */
  emulatorAdmin?: string;
}

export type Verification = 'recorded' | 'documentation' | 'unverified';

export interface ProbeResult {
  id: string;
  outcome: 'holds' | 'fails' | 'skipped';
  detail: string;
}

/** Ledgerline's QBO client, its answers read as loose QBO JSON. */
export interface ProbeQbo {
  create(entity: string, body: Entity, opts: { requestId: string }): Promise<Entity>;
  update(entity: string, body: Entity, opts?: { requestId?: string; sparse?: boolean }): Promise<Entity>;
  void(entity: string, body: Entity): Promise<Entity>;
  delete(entity: string, body: Entity): Promise<Entity>;
  read(entity: string, id: string): Promise<Entity>;
  query(entity: string, whereClause?: string): Promise<Entity[]>;
  batch: QboClient['batch'];
  preferences(): Promise<Entity>;
  companyInfo(): Promise<Entity>;
}

/** What a probe may use: the project's client, raw node-quickbooks answers, throwaway documents. */
export interface ProbeContext {
  qbo: ProbeQbo;
  target: ProbeTarget;
  company: CompanyFacts;
  /** `LL-PROBE-<run> <label>`: unique to this run. */
  name(label: string): string;
  /** A DocNumber unique to this run (≤ 21 characters). */
  docNumber(): string;
  /** A requestid unique to this run. */
  requestId(): string;
  /** Registered clean-ups run last, newest first. */
  cleanup(what: string, fn: () => Promise<unknown>): void;
  /** A node-quickbooks call as QBO answered it: HTTP status and body, faults included. */
  raw(method: string, args: unknown[], opts?: { accessToken?: string }): Promise<{ status: number; body: any }>;
  /** Lazily created throwaway entities, shared by the probes of one run. */
  serviceItem(): Promise<Entity>;
  customer(): Promise<Entity>;
  incomeAccount(): Promise<Entity>;
  /** A US sales line on the probe item, untaxed. */
  line(amount: number): Entity;
  createSale(entity: 'SalesReceipt' | 'Invoice', body: Entity): Promise<Entity>;
}

export interface CompanyFacts {
  country: string;
  customTxnNumbers: boolean;
  usingSalesTax: boolean;
  allowDiscount: boolean;
  automatedSalesTax: boolean;
  defaultTaxCodeId: string | undefined;
}

export interface Probe {
  id: string;
  /** The behaviour, as docs/qbo-behaviours.md states it. */
  behaviour: string;
  verifiedBy: Verification;
  run(ctx: ProbeContext): Promise<void>;
}

class Skip extends Error {}
class Broken extends Error {}

function skip(reason: string): never {
  throw new Skip(reason);
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Broken(message);
}

const show = (value: unknown): string => JSON.stringify(value) ?? 'undefined';

function equal(actual: unknown, expected: unknown, what: string): void {
  check(show(actual) === show(expected), `${what}: expected ${show(expected)}, got ${show(actual)}`);
}

interface Faulted {
  ok: false;
  code: string | undefined;
  message: string;
  detail: string | undefined;
  error: unknown;
}

/** A call that should fail, its fault read the way the sync reads it (QboValidationError.details). */
async function attempt<T>(work: Promise<T>): Promise<{ ok: true; value: T } | Faulted> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    if (!isLedgerlineError(error)) throw error;
    const details = (error.details ?? {}) as { code?: unknown; detail?: unknown };
    return {
      ok: false,
      code: typeof details.code === 'string' ? details.code : undefined,
      message: error.message,
      detail: typeof details.detail === 'string' ? details.detail : undefined,
      error,
    };
  }
}

async function faultOf(
  ctx: ProbeContext,
  work: Promise<Entity>,
  what: string,
  cleanup?: (made: Entity) => Promise<unknown>,
): Promise<Faulted> {
  const result = await attempt(work);
  if (result.ok) {
    if (cleanup) ctx.cleanup(`${what} that QBO accepted`, () => cleanup(result.value));
    throw new Broken(`${what} was accepted (expected a fault)`);
  }
  return result;
}

const requireUs = (ctx: ProbeContext): void => {
  if (ctx.company.country !== 'US') skip(`the company is in ${ctx.company.country}; these probes send US sales lines (TaxCodeRef NON)`);
};

/** Reads a transaction again and deletes it (a probe's clean-up); one already gone is fine. */
async function deleteTxn(qbo: ProbeQbo, entity: string, id: string): Promise<void> {
  const current = await attempt(qbo.read(entity, id));
  if (!current.ok) return;
  await qbo.delete(entity, { Id: id, SyncToken: current.value.SyncToken });
}

async function deactivate(qbo: ProbeQbo, entity: string, id: string): Promise<void> {
  const current = await qbo.read(entity, id);
  if (current.Active === false) return;
  await qbo.update(entity, { Id: id, SyncToken: current.SyncToken, Active: false });
}

const amountOf = (value: unknown): number => Math.round(Number(value) * 100);

export const PROBES: Probe[] = [
  // ---- fault shapes -------------------------------------------------------------------------------------------
  {
    id: 'fault-401-shape',
    behaviour: 'A rejected access token is HTTP 401 with the lower-case body `{fault:{error:[{code:"3200",…}],type:"AUTHENTICATION"}}`',
    verifiedBy: 'recorded',
    async run(ctx) {
      const answer = await ctx.raw('getCompanyInfo', [ctx.target.realmId], { accessToken: 'LL-PROBE-not-a-token' });
      equal(answer.status, 401, 'HTTP status');
      const error = answer.body?.fault?.error?.[0];
      equal(error?.code, '3200', 'fault.error[0].code');
      equal(answer.body?.fault?.type, 'AUTHENTICATION', 'fault.type');
      check(/AuthenticationFailed/.test(String(error?.message)), `fault.error[0].message: ${show(error?.message)}`);
    },
  },
  {
    id: 'fault-invalid-id-2030',
    behaviour: 'Reading an Id that is not a number (`GET /customer/1.5`) is 400 code 2030 "Invalid ID", element "Id"',
    verifiedBy: 'recorded',
    async run(ctx) {
      const answer = await ctx.raw('getCustomer', ['1.5']);
      equal(answer.status, 400, 'HTTP status');
      const error = answer.body?.Fault?.Error?.[0];
      equal([error?.code, error?.Message, error?.element], ['2030', 'Invalid ID', 'Id'], 'code, Message, element');
    },
  },
  {
    id: 'fault-unknown-resource-500',
    behaviour: 'A path QBO has no resource for (`GET /customer/1/5`) is 400 code 500 "Unsupported Operation"',
    verifiedBy: 'recorded',
    async run(ctx) {
      const answer = await ctx.raw('getCustomer', ['1/5']);
      equal(answer.status, 400, 'HTTP status');
      const error = answer.body?.Fault?.Error?.[0];
      equal([error?.code, error?.Message], ['500', 'Unsupported Operation'], 'code, Message');
    },
  },
  {
    id: 'fault-missing-id-610',
    behaviour: 'A transaction Id that does not exist is a ValidationFault 610 "Object Not Found", to a delete as to a read',
    verifiedBy: 'recorded',
    async run(ctx) {
      const deleting = await faultOf(ctx, ctx.qbo.delete('Invoice', { Id: '999999999', SyncToken: '0' }), 'deleting Invoice 999999999');
      check(deleting.error instanceof QboValidationError, `a validation fault, got ${deleting.message}`);
      equal(deleting.code, '610', 'code of the delete');
      const reading = await faultOf(ctx, ctx.qbo.read('SalesReceipt', '999999999'), 'reading SalesReceipt 999999999');
      equal(reading.code, '610', 'code of the read');
    },
  },
  {
    id: 'fault-unknown-field-2010',
    behaviour: 'An unknown field is 2010, whose detail names the field and the Java class (`com.intuit.schema.finance.v3.Invoice`)',
    verifiedBy: 'recorded',
    async run(ctx) {
      const fault = await faultOf(
        ctx,
        ctx.qbo.create('Invoice', { LLProbeUnknownField: true }, { requestId: ctx.requestId() }),
        'an Invoice with an unknown field',
        (made) => deleteTxn(ctx.qbo, 'Invoice', String(made.Id)),
      );
      equal(fault.code, '2010', 'code');
      check(
        /Unrecognized field "LLProbeUnknownField" \(class com\.intuit\.schema\.finance\.v3\.Invoice\)/.test(fault.detail ?? ''),
        `detail: ${show(fault.detail)}`,
      );
    },
  },
  {
    id: 'fault-throttle-3001',
    behaviour:
      'A throttled call is HTTP 429 with a SERVICE fault code 3001 (message "ThrottleExceeded"), which the client turns into a retry after 60 s',
    verifiedBy: 'recorded',
    async run(ctx) {
      const admin = ctx.target.emulatorAdmin;
      if (!admin) skip('needs more than 500 requests in a minute against a real company; runs against the emulator only');
      await adminPost(admin, '/_emulator/faults', { match: 'Preferences:read', rate429: 1, times: 2 });
      try {
        const answer = await ctx.raw('getPreferences', []);
        equal(answer.status, 429, 'HTTP status');
        const error = answer.body?.Fault?.Error?.[0];
        equal([error?.code, answer.body?.Fault?.type], ['3001', 'SERVICE'], 'code, type');
        check(/ThrottleExceeded/.test(String(error?.Message)), `Message: ${show(error?.Message)}`);
        const classified = await attempt(ctx.qbo.preferences());
        check(!classified.ok && classified.error instanceof QboThrottledError, 'the client classifies it as QboThrottledError');
      } finally {
        await fetch(`${admin}/_emulator/faults`, { method: 'DELETE' });
      }
    },
  },
  {
    id: 'fault-stale-5010',
    behaviour: 'An update with a SyncToken that is no longer current is 5010 "Stale Object Error"',
    verifiedBy: 'recorded',
    async run(ctx) {
      const customer = await ctx.qbo.read('Customer', String((await ctx.customer()).Id));
      const first = await ctx.qbo.update('Customer', { Id: customer.Id, SyncToken: customer.SyncToken, CompanyName: ctx.name('stale a') });
      check(first.SyncToken !== customer.SyncToken, 'the first update moves the SyncToken');
      const fault = await faultOf(
        ctx,
        ctx.qbo.update('Customer', { Id: customer.Id, SyncToken: customer.SyncToken, CompanyName: ctx.name('stale b') }),
        'an update with the old SyncToken',
      );
      equal(fault.code, '5010', 'code');
      check(/Stale Object Error/i.test(fault.message), `message: ${fault.message}`);
    },
  },
  // ---- names --------------------------------------------------------------------------------------------------
  {
    id: 'name-duplicate-6240-no-id',
    behaviour: 'A DisplayName in use is 6240 "Duplicate Name Exists Error", and the fault does not name the Id of the holder',
    verifiedBy: 'recorded',
    async run(ctx) {
      const customer = await ctx.customer();
      const fault = await faultOf(
        ctx,
        ctx.qbo.create('Customer', { DisplayName: customer.DisplayName }, { requestId: ctx.requestId() }),
        'a second customer with the same DisplayName',
        (made) => deactivate(ctx.qbo, 'Customer', String(made.Id)),
      );
      equal(fault.code, '6240', 'code');
      // Neither the holder's Id nor any "Id=…": real QBO's detail ends ": null".
      const detail = fault.detail ?? '';
      check(!new RegExp(`\\b${customer.Id}\\b`).test(detail) && !/\bId\s*[=:]\s*\d+/i.test(detail), `the fault names Id: ${show(detail)}`);
    },
  },
  {
    id: 'name-unique-across-types',
    behaviour: 'A DisplayName is unique across Customers, Vendors and Employees: a Vendor named like a Customer is 6240',
    verifiedBy: 'documentation',
    async run(ctx) {
      const customer = await ctx.customer();
      const fault = await faultOf(
        ctx,
        ctx.qbo.create('Vendor', { DisplayName: customer.DisplayName }, { requestId: ctx.requestId() }),
        'a vendor named like the probe customer',
        (made) => deactivate(ctx.qbo, 'Vendor', String(made.Id)),
      );
      equal(fault.code, '6240', 'code');
    },
  },
  {
    id: 'name-inactive-holds-name',
    behaviour:
      'An inactive Customer keeps its name (a new one with it is 6240), a plain query leaves it out, and `Active IN (true, false)` finds it',
    verifiedBy: 'unverified',
    async run(ctx) {
      const name = ctx.name('inactive');
      const made = await ctx.qbo.create('Customer', { DisplayName: name }, { requestId: ctx.requestId() });
      ctx.cleanup(`Customer ${made.Id}`, () => deactivate(ctx.qbo, 'Customer', String(made.Id)));
      await ctx.qbo.update('Customer', { Id: made.Id, SyncToken: made.SyncToken, Active: false });
      const fault = await faultOf(
        ctx,
        ctx.qbo.create('Customer', { DisplayName: name }, { requestId: ctx.requestId() }),
        'a customer named like an inactive one',
        (again) => deactivate(ctx.qbo, 'Customer', String(again.Id)),
      );
      equal(fault.code, '6240', 'code');
      const plain = await ctx.qbo.query('Customer', `DisplayName = ${qboLiteral(name)}`);
      equal(plain.length, 0, 'rows of a query without Active');
      const all = await ctx.qbo.query('Customer', `DisplayName = ${qboLiteral(name)} AND Active IN (true, false)`);
      equal(
        all.map((c) => [c.Id, c.Active]),
        [[made.Id, false]],
        'rows with Active IN (true, false)',
      );
    },
  },
  {
    id: 'name-item-case-insensitive',
    behaviour: 'Item names are unique without regard to case: "X widget" then "x WIDGET" is 6240',
    verifiedBy: 'unverified',
    async run(ctx) {
      const item = await ctx.serviceItem();
      const account = await ctx.incomeAccount();
      const fault = await faultOf(
        ctx,
        ctx.qbo.create(
          'Item',
          { Name: String(item.Name).toUpperCase(), Type: 'Service', IncomeAccountRef: { value: account.Id } },
          { requestId: ctx.requestId() },
        ),
        'an item whose name differs only by case',
        (made) => deactivate(ctx.qbo, 'Item', String(made.Id)),
      );
      equal(fault.code, '6240', 'code');
    },
  },
  // ---- queries ------------------------------------------------------------------------------------------------
  {
    id: 'query-escaped-quote',
    behaviour: "A query value with a quote escaped by a backslash (`'O\\'Brien & Sons'`) and an `&` finds the entity",
    verifiedBy: 'recorded',
    async run(ctx) {
      const name = ctx.name("O'Brien & Sons");
      const made = await ctx.qbo.create('Customer', { DisplayName: name }, { requestId: ctx.requestId() });
      ctx.cleanup(`Customer ${made.Id}`, () => deactivate(ctx.qbo, 'Customer', String(made.Id)));
      const rows = await ctx.qbo.query('Customer', `DisplayName = ${qboLiteral(name)}`);
      equal(
        rows.map((r) => r.Id),
        [made.Id],
        'rows',
      );
    },
  },
  {
    id: 'query-in-list',
    behaviour: '`Sku IN (…)` and `Name IN (…)` select Items (Ledgerline looks items up in lists of 30)',
    verifiedBy: 'unverified',
    async run(ctx) {
      const account = await ctx.incomeAccount();
      const made: Entity[] = [];
      for (const label of ['in a', 'in b']) {
        const item = await ctx.qbo.create(
          'Item',
          { Name: ctx.name(label), Sku: ctx.name(label).replace(/\s/g, '-'), Type: 'Service', IncomeAccountRef: { value: account.Id } },
          { requestId: ctx.requestId() },
        );
        ctx.cleanup(`Item ${item.Id}`, () => deactivate(ctx.qbo, 'Item', String(item.Id)));
        made.push(item);
      }
      const ids = made.map((i) => i.Id).sort();
      const bySku = await ctx.qbo.query('Item', `Sku IN (${made.map((i) => qboLiteral(String(i.Sku))).join(', ')})`);
      equal(bySku.map((i) => i.Id).sort(), ids, 'Items by Sku IN');
      const byName = await ctx.qbo.query('Item', `Name IN (${made.map((i) => qboLiteral(String(i.Name))).join(', ')})`);
      equal(byName.map((i) => i.Id).sort(), ids, 'Items by Name IN');
    },
  },
  {
    id: 'query-text-case-insensitive',
    behaviour: 'A query compares text without regard to case: `Sku = \'ll-probe-…\'` finds the Item whose Sku is "LL-PROBE-…"',
    verifiedBy: 'unverified',
    async run(ctx) {
      const item = await ctx.serviceItem();
      const rows = await ctx.qbo.query('Item', `Sku = ${qboLiteral(String(item.Sku).toLowerCase())}`);
      equal(
        rows.map((r) => r.Id),
        [item.Id],
        'rows for the lower-cased Sku',
      );
    },
  },
  {
    id: 'query-paging',
    behaviour: 'STARTPOSITION counts from 1 and MAXRESULTS caps the page; the answer says both',
    verifiedBy: 'documentation',
    async run(ctx) {
      const page = await ctx.raw('findAccounts', ['startposition 1 maxresults 2']);
      equal(page.status, 200, 'HTTP status');
      const response = page.body?.QueryResponse ?? {};
      equal([response.Account?.length, response.startPosition, response.maxResults], [2, 1, 2], 'rows, startPosition, maxResults');
      const next = await ctx.raw('findAccounts', ['startposition 2 maxresults 1']);
      equal(next.body?.QueryResponse?.Account?.[0]?.Id, response.Account?.[1]?.Id, 'row 2 is the first of a page starting at 2');
    },
  },
  // ---- updates ------------------------------------------------------------------------------------------------
  {
    id: 'update-noop-keeps-synctoken',
    behaviour: 'A sparse update that changes nothing keeps SyncToken and MetaData.LastUpdatedTime',
    verifiedBy: 'recorded',
    async run(ctx) {
      const customer = await ctx.customer();
      const before = await ctx.qbo.read('Customer', String(customer.Id));
      await sleep(1100);
      const after = await ctx.qbo.update('Customer', { Id: before.Id, SyncToken: before.SyncToken, DisplayName: before.DisplayName });
      equal(
        [after.SyncToken, after.MetaData?.LastUpdatedTime],
        [before.SyncToken, before.MetaData?.LastUpdatedTime],
        'SyncToken, LastUpdatedTime',
      );
    },
  },
  {
    id: 'update-change-bumps-synctoken',
    behaviour: 'An update that changes a field moves SyncToken on by one and LastUpdatedTime forward',
    verifiedBy: 'recorded',
    async run(ctx) {
      const customer = await ctx.customer();
      const before = await ctx.qbo.read('Customer', String(customer.Id));
      await sleep(1100);
      const after = await ctx.qbo.update('Customer', { Id: before.Id, SyncToken: before.SyncToken, CompanyName: ctx.name('bump') });
      equal(after.SyncToken, String(Number(before.SyncToken) + 1), 'SyncToken');
      check(after.MetaData?.LastUpdatedTime !== before.MetaData?.LastUpdatedTime, 'LastUpdatedTime moved');
    },
  },
  {
    id: 'update-full-keeps-docnumber',
    behaviour: 'A full update (sparse false) that leaves DocNumber out keeps the stored DocNumber',
    verifiedBy: 'recorded',
    async run(ctx) {
      requireUs(ctx);
      const docNumber = ctx.docNumber();
      const sale = await ctx.createSale('SalesReceipt', { DocNumber: docNumber, Line: [ctx.line(10)] });
      const after = await ctx.qbo.update(
        'SalesReceipt',
        { Id: sale.Id, SyncToken: sale.SyncToken, Line: [ctx.line(10)] },
        { sparse: false },
      );
      equal(after.DocNumber, docNumber, `DocNumber (custom transaction numbers ${ctx.company.customTxnNumbers ? 'on' : 'off'})`);
    },
  },
  {
    id: 'update-sparse-keeps-unsent',
    behaviour: 'A sparse update keeps every field it does not send (lines, DocNumber, totals)',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      const docNumber = ctx.docNumber();
      const sale = await ctx.createSale('SalesReceipt', { DocNumber: docNumber, Line: [ctx.line(10), ctx.line(2.5)] });
      const after = await ctx.qbo.update('SalesReceipt', { Id: sale.Id, SyncToken: sale.SyncToken, PrivateNote: ctx.name('sparse') });
      equal(
        [after.DocNumber, after.TotalAmt, after.PrivateNote],
        [docNumber, 12.5, ctx.name('sparse')],
        'DocNumber, TotalAmt, PrivateNote',
      );
      equal(after.Line?.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail').length, 2, 'item lines');
    },
  },
  // ---- sales documents ----------------------------------------------------------------------------------------
  {
    id: 'sales-totalamt-computed',
    behaviour: 'QBO computes TotalAmt and overwrites a TotalAmt the client sends',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      const sale = await ctx.createSale('SalesReceipt', { Line: [ctx.line(10), ctx.line(4.5)], TotalAmt: 999.99 });
      equal(sale.TotalAmt, 14.5, 'TotalAmt');
    },
  },
  {
    id: 'sales-defaults-filled',
    behaviour:
      "An Invoice sent without them gets CustomerRef.name, the customer's BillAddr and ShipAddr, a DueDate, PrintStatus NeedToPrint, EmailStatus NotSet and (US) ApplyTaxAfterDiscount false",
    verifiedBy: 'recorded',
    async run(ctx) {
      requireUs(ctx);
      const customer = await ctx.customer();
      const invoice = await ctx.createSale('Invoice', { CustomerRef: { value: customer.Id }, Line: [ctx.line(20)] });
      equal(invoice.CustomerRef?.name, customer.DisplayName, 'CustomerRef.name');
      equal(invoice.BillAddr?.Line1, customer.BillAddr?.Line1, 'BillAddr.Line1');
      equal(invoice.ShipAddr?.PostalCode, customer.ShipAddr?.PostalCode, 'ShipAddr.PostalCode');
      check(
        typeof invoice.DueDate === 'string' && invoice.DueDate >= invoice.TxnDate,
        `DueDate ${show(invoice.DueDate)} on or after TxnDate`,
      );
      equal(
        [invoice.PrintStatus, invoice.EmailStatus, invoice.ApplyTaxAfterDiscount],
        ['NeedToPrint', 'NotSet', false],
        'PrintStatus, EmailStatus, ApplyTaxAfterDiscount',
      );
    },
  },
  {
    id: 'docnumber-assigned-when-custom-off',
    behaviour: 'With custom transaction numbers off, an Invoice created without DocNumber gets the next number',
    verifiedBy: 'recorded',
    async run(ctx) {
      requireUs(ctx);
      if (ctx.company.customTxnNumbers) skip('custom transaction numbers are on in this company (Ledgerline needs them on)');
      const customer = await ctx.customer();
      const invoice = await ctx.createSale('Invoice', { CustomerRef: { value: customer.Id }, Line: [ctx.line(1)] });
      check(/^\d+$/.test(String(invoice.DocNumber)), `DocNumber ${show(invoice.DocNumber)} is a number`);
    },
  },
  {
    id: 'docnumber-absent-when-custom-on',
    behaviour: 'With custom transaction numbers on, a SalesReceipt created without DocNumber has none',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      if (!ctx.company.customTxnNumbers) skip('custom transaction numbers are off in this company');
      const sale = await ctx.createSale('SalesReceipt', { Line: [ctx.line(1)] });
      equal(sale.DocNumber, undefined, 'DocNumber');
    },
  },
  {
    id: 'docnumber-duplicate-6140',
    behaviour:
      'With custom transaction numbers on, a second SalesReceipt with a DocNumber in use is 6140 "Duplicate Document Number Error"',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      if (!ctx.company.customTxnNumbers) skip('custom transaction numbers are off in this company (QBO then keeps repeated numbers)');
      const docNumber = ctx.docNumber();
      await ctx.createSale('SalesReceipt', { DocNumber: docNumber, Line: [ctx.line(1)] });
      const fault = await faultOf(
        ctx,
        ctx.qbo.create('SalesReceipt', { DocNumber: docNumber, Line: [ctx.line(1)] }, { requestId: ctx.requestId() }),
        'a second SalesReceipt with the same DocNumber',
        (made) => deleteTxn(ctx.qbo, 'SalesReceipt', String(made.Id)),
      );
      check(fault.code === '6140' || /Duplicate Document Number/i.test(fault.message), `6140, got ${fault.message}`);
    },
  },
  {
    id: 'docnumber-max-21',
    behaviour: 'A DocNumber longer than 21 characters is refused',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      const fault = await faultOf(
        ctx,
        ctx.qbo.create(
          'SalesReceipt',
          { DocNumber: `${ctx.docNumber()}-XXXXXXXXXXXXXXXXXXXXX`, Line: [ctx.line(1)] },
          { requestId: ctx.requestId() },
        ),
        'a SalesReceipt with a 22+ character DocNumber',
        (made) => deleteTxn(ctx.qbo, 'SalesReceipt', String(made.Id)),
      );
      check(fault.error instanceof QboValidationError, `a validation fault, got ${fault.message}`);
    },
  },
  {
    id: 'requestid-replays-answer',
    behaviour: 'A create repeated with the same requestid is not performed again: QBO answers with the first document',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      const requestId = ctx.requestId();
      const body = { DocNumber: ctx.docNumber(), Line: [ctx.line(3)] };
      const first = await ctx.qbo.create('SalesReceipt', body, { requestId });
      ctx.cleanup(`SalesReceipt ${first.Id}`, () => deleteTxn(ctx.qbo, 'SalesReceipt', String(first.Id)));
      const second = await ctx.qbo.create('SalesReceipt', body, { requestId });
      if (second.Id !== first.Id) ctx.cleanup(`SalesReceipt ${second.Id}`, () => deleteTxn(ctx.qbo, 'SalesReceipt', String(second.Id)));
      equal(second.Id, first.Id, 'Id of the repeated create');
      const rows = await ctx.qbo.query('SalesReceipt', `DocNumber = ${qboLiteral(body.DocNumber)}`);
      equal(rows.length, 1, 'SalesReceipts with that DocNumber');
    },
  },
  {
    id: 'requestid-replays-fault',
    behaviour: 'A requestid whose first answer was a fault gets that fault again, even after the cause is fixed',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      const requestId = ctx.requestId();
      const broken = {
        ...ctx.line(3),
        SalesItemLineDetail: { ItemRef: { value: '999999999' }, Qty: 1, UnitPrice: 3, TaxCodeRef: { value: 'NON' } },
      };
      const first = await faultOf(
        ctx,
        ctx.qbo.create('SalesReceipt', { Line: [broken] }, { requestId }),
        'a SalesReceipt naming a missing item',
      );
      const again = await faultOf(
        ctx,
        ctx.qbo.create('SalesReceipt', { Line: [ctx.line(3)] }, { requestId }),
        'the fixed SalesReceipt under the same requestid',
        (made) => deleteTxn(ctx.qbo, 'SalesReceipt', String(made.Id)),
      );
      equal(again.code, first.code, 'code of the replayed fault');
    },
  },
  {
    id: 'delete-salesreceipt',
    behaviour: 'Deleting a SalesReceipt answers status "Deleted"; reading it afterwards is 610',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      const sale = await ctx.createSale('SalesReceipt', { Line: [ctx.line(2)] });
      const deleted = await ctx.qbo.delete('SalesReceipt', { Id: sale.Id, SyncToken: sale.SyncToken });
      equal([deleted.Id, deleted.status], [sale.Id, 'Deleted'], 'Id, status');
      const fault = await faultOf(ctx, ctx.qbo.read('SalesReceipt', String(sale.Id)), 'reading the deleted SalesReceipt');
      equal(fault.code, '610', 'code');
    },
  },
  {
    id: 'void-invoice',
    behaviour: 'Voiding an Invoice keeps it and its DocNumber with every amount 0, Balance 0 and the memo "Voided"',
    verifiedBy: 'recorded',
    async run(ctx) {
      requireUs(ctx);
      const customer = await ctx.customer();
      const docNumber = ctx.docNumber();
      const invoice = await ctx.createSale('Invoice', { DocNumber: docNumber, CustomerRef: { value: customer.Id }, Line: [ctx.line(7)] });
      const voided = await ctx.qbo.void('Invoice', { Id: invoice.Id, SyncToken: invoice.SyncToken });
      equal([voided.TotalAmt, voided.Balance, voided.DocNumber], [0, 0, docNumber], 'TotalAmt, Balance, DocNumber');
      check(String(voided.PrivateNote).startsWith('Voided'), `PrivateNote ${show(voided.PrivateNote)}`);
      check(
        (voided.Line ?? []).every((l: Entity) => amountOf(l.Amount) === 0),
        'every line amount is 0',
      );
    },
  },
  {
    id: 'void-salesreceipt-sparse',
    behaviour: 'A SalesReceipt is voided by a sparse update with include=void: TotalAmt 0',
    verifiedBy: 'unverified',
    async run(ctx) {
      requireUs(ctx);
      const sale = await ctx.createSale('SalesReceipt', { Line: [ctx.line(6)] });
      const voided = await ctx.qbo.void('SalesReceipt', { Id: sale.Id, SyncToken: sale.SyncToken });
      equal(voided.TotalAmt, 0, 'TotalAmt');
      check(String(voided.PrivateNote ?? '').startsWith('Voided'), `PrivateNote ${show(voided.PrivateNote)}`);
    },
  },
  {
    id: 'discount-line',
    behaviour: 'A DiscountLineDetail line comes off the total: TotalAmt = item lines − discount (no tax)',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      if (!ctx.company.allowDiscount) skip('discounts are off in this company (SalesFormsPrefs.AllowDiscount)');
      const discount = { DetailType: 'DiscountLineDetail', Amount: 2.5, DiscountLineDetail: { PercentBased: false } };
      const sale = await ctx.createSale('SalesReceipt', { Line: [ctx.line(10), discount] });
      equal(sale.TotalAmt, 7.5, 'TotalAmt');
    },
  },
  {
    id: 'tax-override-us',
    behaviour: 'A US sale keeps the TxnTaxDetail.TotalTax it is sent (with TxnTaxCodeRef), and TotalAmt includes it',
    verifiedBy: 'unverified',
    async run(ctx) {
      requireUs(ctx);
      if (!ctx.company.usingSalesTax) skip('the company does not use sales tax');
      const code = ctx.company.defaultTaxCodeId ?? (await firstSalesTaxCode(ctx.qbo));
      if (!code) skip('no sales tax code found (TaxPrefs.TaxGroupCodeRef, or an active TaxCode with sales rates)');
      const taxed = { ...ctx.line(10), SalesItemLineDetail: { ...ctx.line(10).SalesItemLineDetail, TaxCodeRef: { value: 'TAX' } } };
      const sale = await ctx.createSale('SalesReceipt', {
        Line: [taxed],
        TxnTaxDetail: { TxnTaxCodeRef: { value: code }, TotalTax: 0.77 },
      });
      equal([sale.TxnTaxDetail?.TotalTax, sale.TotalAmt], [0.77, 10.77], 'TotalTax, TotalAmt');
    },
  },
  // ---- batch --------------------------------------------------------------------------------------------------
  {
    id: 'batch-item-faults',
    behaviour: 'In a batch a failing item gets its own Fault and the other items still run',
    verifiedBy: 'recorded',
    async run(ctx) {
      const name = ctx.name('batch ok');
      const results = await ctx.qbo.batch([
        { bId: 'ok', operation: 'create', Customer: { DisplayName: name } },
        // A sub-customer of a customer that does not exist: an invalid reference.
        { bId: 'bad', operation: 'create', Customer: { DisplayName: ctx.name('batch bad'), Job: true, ParentRef: { value: '999999999' } } },
      ]);
      const ok = results.find((r) => r.bId === 'ok');
      const bad = results.find((r) => r.bId === 'bad');
      if (ok?.entity) ctx.cleanup(`Customer ${ok.entity.Id}`, () => deactivate(ctx.qbo, 'Customer', String(ok.entity?.Id)));
      if (bad?.entity) ctx.cleanup(`Customer ${bad.entity.Id}`, () => deactivate(ctx.qbo, 'Customer', String(bad.entity?.Id)));
      check(ok?.entity?.DisplayName === name, 'the first item created the customer');
      check(bad?.fault instanceof QboValidationError, 'the second item answered a Fault');
    },
  },
  {
    id: 'batch-no-sibling-reads',
    behaviour: 'A batch item cannot see what an earlier item of the same batch created (a query finds nothing)',
    verifiedBy: 'documentation',
    async run(ctx) {
      const name = ctx.name('batch sibling');
      const results = await ctx.qbo.batch([
        { bId: 'make', operation: 'create', Customer: { DisplayName: name } },
        { bId: 'find', Query: `select * from Customer where DisplayName = ${qboLiteral(name)}` },
      ]);
      const made = results.find((r) => r.bId === 'make')?.entity;
      if (made) ctx.cleanup(`Customer ${made.Id}`, () => deactivate(ctx.qbo, 'Customer', String(made.Id)));
      check(made, 'the create ran');
      const page = results.find((r) => r.bId === 'find')?.queryResponse ?? {};
      equal((page.Customer as unknown[] | undefined)?.length ?? 0, 0, 'rows the query saw');
    },
  },
  {
    id: 'batch-max-30',
    behaviour: 'A batch holds at most 30 items: 31 are refused as a whole',
    verifiedBy: 'documentation',
    async run(ctx) {
      const items = Array.from({ length: 31 }, (_, i) => ({ bId: `q${i}`, Query: 'select * from CompanyInfo' }));
      const answer = await ctx.raw('batch', [items]);
      const answered = Array.isArray(answer.body?.BatchItemResponse)
        ? answer.body.BatchItemResponse.filter((i: Entity) => !i.Fault).length
        : 0;
      check(answered === 0, `${answered} of 31 items answered without a fault (HTTP ${answer.status})`);
    },
  },
  // ---- deposits -----------------------------------------------------------------------------------------------
  {
    id: 'deposit-links-whole-receipt',
    behaviour: 'A Deposit line that links a SalesReceipt in Undeposited Funds for its whole amount is accepted; TotalAmt is the sum',
    verifiedBy: 'documentation',
    async run(ctx) {
      requireUs(ctx);
      const { deposit, sale } = await depositOfOneSale(ctx);
      equal(deposit.TotalAmt, sale.TotalAmt, 'Deposit TotalAmt');
    },
  },
  {
    id: 'deposit-locks-receipt',
    behaviour: 'A deposited SalesReceipt cannot be deleted until its Deposit is gone',
    verifiedBy: 'unverified',
    async run(ctx) {
      requireUs(ctx);
      const { deposit, sale } = await depositOfOneSale(ctx);
      const current = await ctx.qbo.read('SalesReceipt', String(sale.Id));
      await faultOf(
        ctx,
        ctx.qbo.delete('SalesReceipt', { Id: sale.Id, SyncToken: current.SyncToken }),
        'deleting the deposited SalesReceipt',
      );
      await deleteTxn(ctx.qbo, 'Deposit', String(deposit.Id));
      await deleteTxn(ctx.qbo, 'SalesReceipt', String(sale.Id));
      await faultOf(ctx, ctx.qbo.read('SalesReceipt', String(sale.Id)), 'reading the SalesReceipt deleted after its deposit');
    },
  },
  {
    id: 'deposit-links-once',
    behaviour: 'A SalesReceipt already deposited cannot be linked by a second Deposit',
    verifiedBy: 'unverified',
    async run(ctx) {
      requireUs(ctx);
      const { sale, bankId } = await depositOfOneSale(ctx);
      await faultOf(
        ctx,
        ctx.qbo.create('Deposit', depositBody(bankId, sale), { requestId: ctx.requestId() }),
        'a second Deposit of the same SalesReceipt',
        (made) => deleteTxn(ctx.qbo, 'Deposit', String(made.Id)),
      );
    },
  },
  // ---- company ------------------------------------------------------------------------------------------------
  {
    id: 'preferences-fields',
    behaviour:
      'Preferences carry the settings Ledgerline reads at connect and each run: SalesFormsPrefs.CustomTxnNumbers, AllowDiscount, TaxPrefs.UsingSalesTax (US: PartnerTaxEnabled)',
    verifiedBy: 'documentation',
    async run(ctx) {
      const prefs = await ctx.qbo.preferences();
      equal(typeof prefs.SalesFormsPrefs?.CustomTxnNumbers, 'boolean', 'type of SalesFormsPrefs.CustomTxnNumbers');
      equal(typeof prefs.TaxPrefs?.UsingSalesTax, 'boolean', 'type of TaxPrefs.UsingSalesTax');
      const discount = prefs.SalesFormsPrefs?.AllowDiscount;
      check(discount === undefined || typeof discount === 'boolean', `SalesFormsPrefs.AllowDiscount ${show(discount)}`);
    },
  },
];

function depositBody(bankId: string, sale: Entity): Entity {
  return {
    DepositToAccountRef: { value: bankId },
    Line: [{ Amount: sale.TotalAmt, LinkedTxn: [{ TxnId: sale.Id, TxnType: 'SalesReceipt', TxnLineId: '0' }] }],
  };
}

/** A SalesReceipt into Undeposited Funds and a Deposit of it into the first Bank account; both cleaned up. */
async function depositOfOneSale(ctx: ProbeContext): Promise<{ deposit: Entity; sale: Entity; bankId: string }> {
  const banks = await ctx.qbo.query('Account', "AccountType = 'Bank'");
  const bank = banks.find((a) => a.Active !== false);
  if (!bank) skip('the company has no active Bank account');
  // Filtered here, not in the query: Intuit does not say AccountSubType is filterable.
  const funds = (await ctx.qbo.query('Account', "AccountType = 'Other Current Asset'")).find(
    (a) => a.AccountSubType === 'UndepositedFunds' && a.Active !== false,
  );
  if (!funds) skip('the company has no Undeposited Funds account');
  const sale = await ctx.createSale('SalesReceipt', { Line: [ctx.line(11)], DepositToAccountRef: { value: funds.Id } });
  const deposit = await ctx.qbo.create('Deposit', depositBody(String(bank.Id), sale), { requestId: ctx.requestId() });
  // Registered after the sale's, so it runs first: the deposit must go before the sale can.
  ctx.cleanup(`Deposit ${deposit.Id}`, () => deleteTxn(ctx.qbo, 'Deposit', String(deposit.Id)));
  return { deposit, sale, bankId: String(bank.Id) };
}

async function firstSalesTaxCode(qbo: ProbeQbo): Promise<string | undefined> {
  const codes = await qbo.query('TaxCode');
  const code = codes.find((c) => c.Active !== false && (c.SalesTaxRateList?.TaxRateDetail ?? []).length > 0 && c.Taxable !== false);
  return code ? String(code.Id) : undefined;
}

async function adminPost(base: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`emulator admin ${path}: HTTP ${res.status}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One call at a time: the probes are few and sequential, far below QBO's limits. */
function serialLimiter(): QboLimiter {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    limits: { ...QBO_DEFAULT_LIMITS, concurrent: 1 },
    run<T>(_realmId: string, _kind: unknown, fn: () => Promise<T>): Promise<T> {
      const next = chain.then(fn, fn);
      chain = next.catch(() => undefined);
      return next;
    },
  };
}

function staticTokens(accessToken: string): TokenProvider {
  return { storeId: 'probe-qbo', accessToken: () => Promise.resolve(accessToken) };
}

async function readCompany(qbo: ProbeQbo): Promise<CompanyFacts> {
  const prefs = await qbo.preferences();
  const info = await qbo.companyInfo();
  const country = String(info.Country ?? (prefs.CurrencyPrefs?.HomeCurrency?.value === 'USD' ? 'US' : 'unknown'));
  const code = prefs.TaxPrefs?.TaxGroupCodeRef?.value;
  return {
    country: country === 'USA' ? 'US' : country,
    customTxnNumbers: prefs.SalesFormsPrefs?.CustomTxnNumbers !== false,
    usingSalesTax: prefs.TaxPrefs?.UsingSalesTax !== false,
    allowDiscount: prefs.SalesFormsPrefs?.AllowDiscount !== false,
    automatedSalesTax: prefs.TaxPrefs?.PartnerTaxEnabled === true,
    defaultTaxCodeId: typeof code === 'string' && code !== '' ? code : undefined,
  };
}

export interface RunOptions {
  only?: string[];
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export async function runProbes(target: ProbeTarget, opts: RunOptions = {}): Promise<ProbeResult[]> {
  const log = opts.log ?? (() => undefined);
  const logger = pino({ level: 'silent' });
  const qbo: ProbeQbo = createQboClient({
    realmId: target.realmId,
    tokens: staticTokens(target.accessToken),
    endpoint: target.endpoint,
    limiter: serialLimiter(),
    logger,
    timeoutMs: 60_000,
  });
  const run = `${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 36 ** 2)
    .toString(36)
    .padStart(2, '0')}`;
  let counter = 0;
  const cleanups: { what: string; fn: () => Promise<unknown> }[] = [];
  const company = await readCompany(qbo);
  const cache = new Map<string, Promise<Entity>>();
  const once = (key: string, make: () => Promise<Entity>): Promise<Entity> => {
    let hit = cache.get(key);
    if (!hit) {
      hit = make();
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  };
  let itemId: string | undefined;
  const ctx: ProbeContext = {
    qbo,
    target,
    company,
    name: (label) => `LL-PROBE-${run} ${label}`,
    docNumber: () => `LLP-${run}-${++counter}`,
    requestId: () => `LL-PROBE-${run}-${++counter}`,
    cleanup: (what, fn) => cleanups.push({ what, fn }),
    async raw(method, args, rawOpts = {}) {
      const client = quickBooksFor(
        { realmId: target.realmId, endpoint: target.endpoint, minorVersion: 75 },
        rawOpts.accessToken ?? target.accessToken,
      );
      try {
        return { status: 200, body: await invoke(client, method, ...args) };
      } catch (err) {
        const response = (err as { response?: { status?: number; data?: unknown } } | null)?.response;
        if (response && typeof response.status === 'number') return { status: response.status, body: response.data };
        if (err && typeof err === 'object' && ('Fault' in err || 'fault' in err)) return { status: 200, body: err };
        throw err;
      }
    },
    incomeAccount: () =>
      once('income', async () => {
        const rows = await qbo.query('Account', "AccountType = 'Income'");
        const account = rows.find((a) => a.Active !== false);
        if (!account) skip('the company has no active Income account');
        return account;
      }),
    serviceItem: () =>
      once('item', async () => {
        const account = await ctx.incomeAccount();
        const item = await qbo.create(
          'Item',
          { Name: ctx.name('widget'), Sku: `LL-PROBE-${run}-SKU`, Type: 'Service', IncomeAccountRef: { value: account.Id } },
          { requestId: ctx.requestId() },
        );
        ctx.cleanup(`Item ${item.Id}`, () => deactivate(qbo, 'Item', String(item.Id)));
        return item;
      }),
    customer: () =>
      once('customer', async () => {
        const address = { Line1: '1 Probe Street', City: 'Mountain View', CountrySubDivisionCode: 'CA', PostalCode: '94043' };
        const customer = await qbo.create(
          'Customer',
          { DisplayName: ctx.name('customer'), BillAddr: address, ShipAddr: { ...address, Line1: '2 Probe Street' } },
          { requestId: ctx.requestId() },
        );
        ctx.cleanup(`Customer ${customer.Id}`, () => deactivate(qbo, 'Customer', String(customer.Id)));
        return customer;
      }),
    line: (amount) => {
      const item = itemId;
      if (!item) throw new Error('line() before the probe item exists');
      return {
        DetailType: 'SalesItemLineDetail',
        Amount: amount,
        SalesItemLineDetail: { ItemRef: { value: item }, Qty: 1, UnitPrice: amount, TaxCodeRef: { value: 'NON' } },
      };
    },
    async createSale(entity, body) {
      const made = await qbo.create(entity, body, { requestId: ctx.requestId() });
      ctx.cleanup(`${entity} ${made.Id}`, () => deleteTxn(qbo, entity, String(made.Id)));
      return made;
    },
  };

  const chosen = opts.only ? PROBES.filter((p) => opts.only?.includes(p.id)) : PROBES;
  const results: ProbeResult[] = [];
  try {
    for (const probe of chosen) {
      let result: ProbeResult;
      try {
        if (company.country === 'US' && !itemId) itemId = String((await ctx.serviceItem()).Id);
        await probe.run(ctx);
        result = { id: probe.id, outcome: 'holds', detail: '' };
      } catch (error) {
        if (error instanceof Skip) result = { id: probe.id, outcome: 'skipped', detail: error.message };
        else if (error instanceof Broken) result = { id: probe.id, outcome: 'fails', detail: error.message };
        else result = { id: probe.id, outcome: 'fails', detail: `error: ${error instanceof Error ? error.message : String(error)}` };
      }
      results.push(result);
      log(`${result.outcome.padEnd(7)} ${probe.id}${result.detail ? ` — ${result.detail}` : ''}`);
    }
  } finally {
    for (const { what, fn } of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        log(`cleanup: could not remove ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return results;
}

/** The results as a plain-text table: probe, outcome, how the behaviour is known, why it failed or was skipped. */
export function formatResults(results: ProbeResult[]): string {
  const byId = new Map(PROBES.map((p) => [p.id, p]));
  const rows = results.map((r) => [r.id, r.outcome.toUpperCase(), byId.get(r.id)?.verifiedBy ?? '', r.detail]);
  const head = ['probe', 'result', 'known from', 'detail'];
  const width = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i < 3 ? c.padEnd(width[i]!) : c))
      .join('  ')
      .trimEnd();
  const counts = (['holds', 'fails', 'skipped'] as const).map((o) => `${results.filter((r) => r.outcome === o).length} ${o}`).join(', ');
  return [line(head), line(width.map((w) => '-'.repeat(w)).concat('------')), ...rows.map(line), '', counts].join('\n');
}

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      endpoint: { type: 'string' },
      realm: { type: 'string' },
      token: { type: 'string' },
      'emulator-admin': { type: 'string' },
      emulator: { type: 'boolean', default: false },
      only: { type: 'string' },
      list: { type: 'boolean', default: false },
      'allow-production': { type: 'boolean', default: false },
    },
  });
  if (values.list) {
    for (const p of PROBES) console.log(`${p.id.padEnd(36)} ${p.verifiedBy.padEnd(13)} ${p.behaviour}`);
    return;
  }
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((id) => !PROBES.some((p) => p.id === id)) ?? [];
  if (unknown.length > 0) throw new UsageError(`unknown probe(s): ${unknown.join(', ')} (see --list)`);
  let stop: (() => Promise<void>) | undefined;
  let target: ProbeTarget;
  if (values.emulator) {
    const realmId = '9130350000000999';
    const emu = await startQboEmulator({ companies: [defaultCompany({ realmId, country: 'US' })], limits: false });
    stop = () => emu.close();
    target = { endpoint: emu.v3Endpoint, realmId, accessToken: emu.admin.issueTokens(realmId).accessToken, emulatorAdmin: emu.url };
  } else {
    const endpoint = values.endpoint ?? process.env.QBO_PROBE_ENDPOINT ?? SANDBOX_ENDPOINT;
    const realmId = values.realm ?? process.env.QBO_PROBE_REALM_ID;
    const accessToken = values.token ?? process.env.QBO_PROBE_ACCESS_TOKEN;
    if (!realmId || !accessToken)
      throw new UsageError(
        'give the company: QBO_PROBE_REALM_ID and QBO_PROBE_ACCESS_TOKEN (or --realm, --token), or --emulator; docs/qbo-behaviours.md says how',
      );
    const host = new URL(endpoint).hostname;
    const local = host === '127.0.0.1' || host === 'localhost' || host === '::1';
    if (!local && !host.startsWith('sandbox-') && !values['allow-production'])
      throw new UsageError(
        `${host} is not a sandbox: the probes create and delete LL-PROBE documents; pass --allow-production to run them there anyway`,
      );
    const emulatorAdmin = values['emulator-admin'] ?? process.env.QBO_PROBE_EMULATOR_ADMIN;
    target = {
      endpoint: endpoint.endsWith('/') ? endpoint : `${endpoint}/`,
      realmId,
      accessToken,
      ...(emulatorAdmin ? { emulatorAdmin } : {}),
    };
  }
  try {
    console.log(`probing realm ${target.realmId} at ${target.endpoint}`);
    const results = await runProbes(target, { ...(only ? { only } : {}), log: (l) => console.log(l) });
    console.log(`\n${formatResults(results)}`);
    if (results.some((r) => r.outcome === 'fails')) process.exitCode = 1;
  } finally {
    await stop?.();
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  });
}
