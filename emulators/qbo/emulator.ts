import { EmulatorClock } from './core/clock';
import { Company } from './company/company';
import { defaultCompany, type DefaultCompanyOptions } from './company/defaultCompany';
import { readState, type SavedState } from './company/persist';
import { loadCompany, merge, readSeedDir } from './company/seed';
import { FaultInjector } from './api/injection';
import { QBO_LIMITS, RateLimiter } from './api/limits';
import { RequestLog } from './api/requestLog';
import { TokenService } from './api/tokens';
import { loadSchema, type QboSchema } from './schema/schema';
import type { CompanyFile, Country, Entity, FaultRule, IssuedTokens, QboEmulatorOptions, RequestLogEntry } from './types';

export const DEFAULT_CLIENT_ID = 'ledgerline-qbo-emulator';
export const DEFAULT_CLIENT_SECRET = 'ledgerline-qbo-emulator-secret';

/** Input of admin.createCompany: a full company file, or the arguments of defaultCompany(). */
export type NewCompany = CompanyFile | (Partial<DefaultCompanyOptions> & { refreshToken?: string });

export interface QboEmulatorAdmin {
  createCompany(input?: NewCompany): IssuedTokens;
  companies(): string[];
  /** A new access + refresh token pair and auth code for the realm (the old ones stay valid). */
  issueTokens(realmId: string): IssuedTokens;
  expireTokens(realmId: string, which?: 'access' | 'refresh' | 'all'): number;
  revokeTokens(realmId: string): void;
  /** A person changing the company's settings in QBO: merged over its Preferences (nested objects merge). */
  setPreferences(realmId: string, patch: Entity): Entity;
  requestLog(filter?: { realmId?: string; limit?: number }): RequestLogEntry[];
  /** Every request answered since the log was last cleared, by HTTP status; unlike the log itself not bounded. */
  requestCounts(): Record<number, number>;
  clearRequestLog(): void;
  /** Back to the companies of the options (tokens re-seeded), with an empty log, no faults and the clock offset kept. */
  reset(): void;
  clock: { now(): number; advance(ms: number): number };
  setFaults(rules: FaultRule[]): void;
  addFaults(rules: FaultRule[]): void;
  clearFaults(): void;
  faults(): FaultRule[];
}

/** Everything the emulator holds, shared by the HTTP layer and the admin API. */
export class QboEmulatorCore {
  readonly companies = new Map<string, Company>();
  readonly clock: EmulatorClock;
  readonly schema: QboSchema;
  readonly tokens: TokenService;
  readonly limiter: RateLimiter;
  readonly injector: FaultInjector;
  readonly log = new RequestLog();
  readonly clientId: string;
  readonly clientSecret: string;
  private readonly initial: CompanyFile[];
  private realmCounter = 0;

  constructor(readonly options: QboEmulatorOptions) {
    this.clock = new EmulatorClock(options.clock);
    this.schema = loadSchema(options.schemaFile);
    this.tokens = new TokenService(TokenService.empty(), this.clock, options.rotateRefreshTokens ?? true);
    const limits = options.limits === false ? null : { ...QBO_LIMITS, ...(typeof options.limits === 'object' ? options.limits : {}) };
    this.limiter = new RateLimiter(limits, options.timeScale ?? 1, this.clock);
    this.injector = new FaultInjector(options.seed ?? 1, options.faults ?? []);
    this.clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    this.clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
    this.initial = [...(options.companies ?? []), ...(options.seedDir ? readSeedDir(options.seedDir) : [])];
    const saved = options.stateFile ? readState(options.stateFile) : undefined;
    if (saved) this.restore(saved);
    else for (const file of this.initial) this.load(file);
  }

  private restore(saved: SavedState): void {
    for (const state of saved.companies) this.companies.set(state.realmId, new Company(state));
    this.tokens.state = saved.tokens;
    this.clock.offset = saved.clockOffsetMs;
  }

  snapshot(): SavedState {
    return {
      version: 1,
      companies: [...this.companies.values()].map((c) => c.state),
      tokens: this.tokens.state,
      clockOffsetMs: this.clock.offset,
    };
  }

  private load(file: CompanyFile): Company {
    const realmId = String(file.qboCompany?.realmId);
    if (this.companies.has(realmId)) throw new Error(`company ${realmId} already exists`);
    const company = loadCompany(file, this.clock, this.schema);
    this.companies.set(realmId, company);
    if (file.oauth?.refreshToken) this.tokens.seed(realmId, file.oauth.refreshToken, file.oauth.accessToken);
    return company;
  }

  private nextRealmId(): string {
    let id: string;
    do id = String(9_341_452_000_000_000n + BigInt(++this.realmCounter));
    while (this.companies.has(id));
    return id;
  }

  createCompany(input: NewCompany = {}): IssuedTokens {
    const file: CompanyFile =
      'qboCompany' in input
        ? input
        : defaultCompany({
            realmId: input.realmId ?? this.nextRealmId(),
            country: (input.country ?? 'US') as Country,
            automatedSalesTax: input.automatedSalesTax,
            companyName: input.companyName,
          });
    if (!('qboCompany' in input) && input.refreshToken) file.oauth = { refreshToken: input.refreshToken };
    const company = this.load(file);
    return this.issueTokens(company.realmId);
  }

  setPreferences(realmId: string, patch: Entity): Entity {
    const company = this.companies.get(realmId);
    if (!company) throw new Error(`unknown realm ${realmId}`);
    const next = merge(company.preferences(), patch);
    company.put('Preferences', next);
    return next;
  }

  issueTokens(realmId: string): IssuedTokens {
    if (!this.companies.has(realmId)) throw new Error(`unknown realm ${realmId}`);
    return { realmId, ...this.tokens.issue(realmId), authCode: this.tokens.authCode(realmId) };
  }

  reset(): void {
    this.companies.clear();
    this.tokens.state = TokenService.empty();
    this.log.clear();
    this.limiter.reset();
    this.injector.clear();
    this.injector.reseed(this.options.seed ?? 1);
    this.injector.add(this.options.faults ?? []);
    for (const file of this.initial) this.load(file);
  }

  admin(): QboEmulatorAdmin {
    return {
      createCompany: (input) => this.createCompany(input),
      companies: () => [...this.companies.keys()],
      issueTokens: (realmId) => this.issueTokens(realmId),
      expireTokens: (realmId, which = 'access') => this.tokens.expire(realmId, which),
      revokeTokens: (realmId) => this.tokens.revoke(realmId),
      setPreferences: (realmId, patch) => this.setPreferences(realmId, patch),
      requestLog: (filter) => this.log.list(filter),
      requestCounts: () => this.log.counts(),
      clearRequestLog: () => this.log.clear(),
      reset: () => this.reset(),
      clock: { now: () => this.clock.now(), advance: (ms) => this.clock.advance(ms) },
      setFaults: (rules) => {
        this.injector.clear();
        this.injector.add(rules);
      },
      addFaults: (rules) => this.injector.add(rules),
      clearFaults: () => this.injector.clear(),
      faults: () => this.injector.list(),
    };
  }
}
