/** Public types of the QBO emulator: options, company files and the handle startQboEmulator returns. */

export type Country = 'US' | 'CA' | 'GB' | 'AU';

/** A QBO entity as it travels in JSON (field names as in Intuit's schema). */
export type Entity = Record<string, any>;

/** US: which tax code (and so which rates) an address falls under, the emulator's AST rate table. */
export interface SalesTaxJurisdiction {
  /** CountrySubDivisionCode, e.g. "CA". */
  state: string;
  /** A ZIP code that overrides the state's code (a city or district rate). */
  postalCode?: string;
  taxCodeId: string;
}

export interface QboCompanyData {
  realmId: string;
  companyName: string;
  country: Country;
  /** US only: Automated Sales Tax (Preferences.TaxPrefs.PartnerTaxEnabled). Default true for US. */
  automatedSalesTax?: boolean;
  /** CompanyInfo.CompanyAddr; AST falls back to it when a sale has no ShipAddr. */
  companyAddress?: Entity;
  /** Merged over the default Preferences. */
  preferences?: Entity;
  accounts?: Entity[];
  items?: Entity[];
  taxCodes?: Entity[];
  taxRates?: Entity[];
  customers?: Entity[];
  vendors?: Entity[];
  employees?: Entity[];
  paymentMethods?: Entity[];
  classes?: Entity[];
  departments?: Entity[];
  terms?: Entity[];
  salesTaxJurisdictions?: SalesTaxJurisdiction[];
}

export interface CompanyFile {
  qboCompany: QboCompanyData;
  oauth?: { refreshToken: string; accessToken?: string };
}

/** A fault-injection rule (README "Fault injection"). */
export interface FaultRule {
  /** "Entity:operation" (SalesReceipt:create), "Entity:*", "*:query", "batch", "report:TrialBalance", "token" or "*". */
  match: string;
  /** Probability (0..1) of answering 5xx (SystemFault) without touching the books. */
  rate5xx?: number;
  /** Probability (0..1) of answering 429 ThrottleExceeded without touching the books. */
  rate429?: number;
  /** Delay before the request is handled (it holds a concurrency slot meanwhile). */
  latencyMs?: number;
  /** true or a probability: commit the change and record its requestid, then drop the connection unanswered. */
  commitThenDrop?: number | boolean;
  /** HTTP status for rate5xx answers (default 503). */
  status5xx?: number;
  /** Fire on at most this many matching requests, then stop. */
  times?: number;
  /**
   * Book a different tax than the sale sent: `TxnTaxDetail.TotalTax` (and its first TaxLine) plus this many
   * cents, as QBO does when it recalculates what it was sent (automated sales tax, docs/qbo-facts.md §4) or
   * drops it (a company with sales tax off). The document stays consistent (TotalAmt follows); a test uses it
   * to make QBO hold figures that differ from Shopify's. Matched per document, batch items included
   * ("SalesReceipt:create", "Invoice:update", …); counts toward `times`.
   */
  taxDeltaCents?: number;
}

export interface LimitSettings {
  /** docs/qbo-facts.md §1: 500 requests per minute per realm. */
  requestsPerMinute: number;
  /** docs/qbo-facts.md §1: at most 10 concurrent requests per realm. */
  concurrent: number;
  /** docs/qbo-facts.md §1: 40 batch requests per minute per realm. */
  batchesPerMinute: number;
}

export interface EmulatorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface QboEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  companies?: CompanyFile[];
  /** Every *.json file here with a `qboCompany` key is loaded; other files are ignored. */
  seedDir?: string;
  /** Loaded at start when it exists (it then replaces companies/seedDir), written on close. */
  stateFile?: string;
  /** Compresses the per-minute throttle windows: 10 → windows of 6 s. */
  timeScale?: number;
  /** false disables throttling; an object overrides the documented numbers. */
  limits?: boolean | Partial<LimitSettings>;
  /** The app's registered OAuth redirect URIs: the consent page (GET /connect/oauth2) accepts only these. Unset: any http(s) URL. */
  redirectUris?: string[];
  /** Issue a new refresh token on every refresh and invalidate the old one (default true). */
  rotateRefreshTokens?: boolean;
  faults?: FaultRule[];
  /** Seed of the fault-injection PRNG (default 1). */
  seed?: number;
  /** Base clock in epoch milliseconds (default Date.now); the admin API can advance it. */
  clock?: () => number;
  logger?: EmulatorLogger;
  /** Path to qbo-v3-schema.json (default: emulators/qbo/schema/qbo-v3-schema.json, or `$QBO_SCHEMA_FILE`). */
  schemaFile?: string;
}

export interface IssuedTokens {
  realmId: string;
  accessToken: string;
  refreshToken: string;
  authCode: string;
}

export interface RequestLogEntry {
  time: string;
  realmId: string | null;
  method: string;
  path: string;
  entity: string | null;
  operation: string | null;
  requestId: string | null;
  status: number;
  faultCode: string | null;
  replayed: boolean;
  dropped: boolean;
}
