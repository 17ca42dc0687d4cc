// The emulator's state and services, independent of HTTP: shops (selected by access token),
// id allocation, the clock, webhooks, faults, the request log and bulk operations.
import { execute, type GraphQLSchema } from 'graphql';
import { checkBulkQuery, toJsonl } from './bulk';
import type { ResolverContext } from './context';
import { FaultInjector, type FaultRule } from './faults';
import { createFieldResolver, typeResolver } from './field-resolver';
import { gid, legacyId } from './gid';
import type { OpsEnv } from './order-helpers';
import { resolverTable } from './resolvers';
import { loadAdminSchema } from './schema';
import { createShopState, type Obj, type ShopOptions, type ShopState } from './state';
import { bulkFinishPayload } from './webhook-payloads';
import { WebhookDispatcher, type WebhookRetryOptions } from './webhooks';
import { isoSeconds } from './time';
import { OAuthState } from './oauth';

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

export interface RequestLogEntry {
  time: string;
  shop: string | null;
  operationName: string | null;
  rootFields: string[];
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  status: number;
  throttled: boolean;
  fault: '5xx' | '429' | 'drop' | null;
}

export interface CoreOptions {
  clock: () => Date;
  seed: number;
  throttling: boolean;
  /** Single-query cost limit (Shopify: 1000 on every plan, docs/shopify-facts.md §1). */
  maxQueryCost: number;
  webhookSecret: string;
  webhookRetry: WebhookRetryOptions;
  faults: FaultRule[];
  /** Delay between the bulk operation's status steps (CREATED → RUNNING → COMPLETED). */
  bulkStepMs: number;
  logger?: Logger;
}

const REQUEST_LOG_LIMIT = 10_000;
// Emulator-made ids start far above anything a seed or the scenario generator uses.
const FIRST_EMULATOR_ID = 900_000_000_000;

export class EmulatorCore {
  readonly shops = new Map<string, ShopState>();
  readonly faults: FaultInjector;
  readonly webhooks: WebhookDispatcher;
  readonly requestLog: RequestLogEntry[] = [];
  readonly fieldResolver = createFieldResolver(resolverTable);
  /** Registered apps and what their installs issued (oauth.ts). */
  readonly oauth = new OAuthState();
  baseUrl = '';
  idCounter = FIRST_EMULATOR_ID;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly opts: CoreOptions) {
    this.faults = new FaultInjector(opts.seed, opts.faults);
    this.webhooks = new WebhookDispatcher({
      secret: opts.webhookSecret,
      retry: opts.webhookRetry,
      now: opts.clock,
      onError: (msg) => opts.logger?.warn({ emulator: 'shopify' }, msg),
    });
  }

  now(): Date {
    return this.opts.clock();
  }
  nextId(): number {
    return ++this.idCounter;
  }

  createShop(opts: ShopOptions): ShopState {
    if (!opts.domain || !opts.accessToken) throw new Error('A shop needs a domain and an accessToken');
    const clash = [...this.shops.values()].find((s) => s.accessToken === opts.accessToken && s.domain !== opts.domain);
    if (clash) throw new Error(`Access token already belongs to ${clash.domain}`);
    const shop = createShopState(opts, this.shops.size + 1, this.now().getTime());
    this.shops.set(opts.domain, shop);
    return shop;
  }

  shop(domain: string): ShopState | undefined {
    return this.shops.get(domain);
  }

  shopByToken(token: string | undefined): ShopState | undefined {
    if (!token) return undefined;
    // A token an app install issued (oauth.ts) reads its shop like the shop's own token.
    const installed = this.oauth.tokens.get(token);
    if (installed) {
      const shop = this.shops.get(installed.shop);
      return shop && !shop.uninstalled ? shop : undefined;
    }
    // An uninstalled app's token is revoked: Shopify answers 401 to it (docs/shopify-facts.md §4).
    return [...this.shops.values()].find((s) => s.accessToken === token && !s.uninstalled);
  }

  opsEnv(): OpsEnv {
    return { now: () => this.now(), nextId: () => this.nextId(), emit: (shop, topic, payload) => this.webhooks.emit(shop, topic, payload) };
  }

  context(shop: ShopState, schema: GraphQLSchema, apiVersion: string, bulk = false): ResolverContext {
    return {
      shop,
      schema,
      apiVersion,
      bulk,
      now: () => this.now(),
      nextId: () => this.nextId(),
      emitWebhook: (topic, payload) => this.webhooks.emit(shop, topic, payload),
      startBulkQuery: (query) => this.startBulkQuery(shop, apiVersion, query),
    };
  }

  log(entry: RequestLogEntry): void {
    this.requestLog.push(entry);
    if (this.requestLog.length > REQUEST_LOG_LIMIT) this.requestLog.splice(0, this.requestLog.length - REQUEST_LOG_LIMIT);
    this.opts.logger?.info({ emulator: 'shopify', ...entry }, 'shopify emulator request');
  }

  /** One running bulk query per shop (docs/shopify-facts.md §2); it runs in the background. */
  startBulkQuery(shop: ShopState, apiVersion: string, query: string): { bulkOperation: Obj | null; userErrors: Obj[] } {
    const running = [...shop.bulkOperations.values()].find((o) => o.type === 'QUERY' && (o.status === 'CREATED' || o.status === 'RUNNING'));
    if (running) {
      return {
        bulkOperation: null,
        userErrors: [
          {
            field: null,
            message: `A bulk query operation for this app and shop is already in progress: ${running.id}.`,
            code: 'OPERATION_IN_PROGRESS',
          },
        ],
      };
    }
    const schema = loadAdminSchema(apiVersion);
    const checked = checkBulkQuery(schema, query);
    if ('userErrors' in checked) return { bulkOperation: null, userErrors: checked.userErrors };
    const op: Obj = {
      id: gid('BulkOperation', this.nextId()),
      status: 'CREATED',
      type: 'QUERY',
      query,
      errorCode: null,
      createdAt: isoSeconds(this.now()),
      completedAt: null,
      objectCount: '0',
      rootObjectCount: '0',
      fileSize: null,
      url: null,
      partialDataUrl: null,
    };
    shop.bulkOperations.set(op.id, op);
    this.later(() => {
      op.status = 'RUNNING';
      this.later(() => void this.finishBulk(shop, schema, apiVersion, op, checked.document));
    });
    return { bulkOperation: op, userErrors: [] };
  }

  private async finishBulk(
    shop: ShopState,
    schema: GraphQLSchema,
    apiVersion: string,
    op: Obj,
    document: Parameters<typeof execute>[0]['document'],
  ): Promise<void> {
    const result = await execute({
      schema,
      document,
      rootValue: {},
      contextValue: this.context(shop, schema, apiVersion, true),
      fieldResolver: this.fieldResolver,
      typeResolver,
    });
    op.completedAt = isoSeconds(this.now());
    if (result.errors?.length || !result.data) {
      op.status = 'FAILED';
      op.errorCode = 'INTERNAL_SERVER_ERROR';
      this.opts.logger?.warn(
        { emulator: 'shopify', bulkOperation: op.id, errors: result.errors?.map((e) => e.message) },
        'bulk query failed',
      );
    } else {
      const out = toJsonl(schema, document, result.data as Obj);
      const file = `${legacyId(op.id)}.jsonl`;
      shop.bulkFiles.set(file, out.text);
      Object.assign(op, {
        status: 'COMPLETED',
        objectCount: String(out.objectCount),
        rootObjectCount: String(out.rootObjectCount),
        fileSize: String(Buffer.byteLength(out.text)),
        url: out.objectCount > 0 ? `${this.baseUrl}/_emulator/bulk/${shop.domain}/${file}` : null,
      });
    }
    this.webhooks.emit(shop, 'BULK_OPERATIONS_FINISH', bulkFinishPayload(op));
  }

  private later(fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.opts.bulkStepMs);
    this.timers.add(timer);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.webhooks.close();
  }
}
