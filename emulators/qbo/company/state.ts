import type { Country, Entity, SalesTaxJurisdiction } from '../types';

/** One double-entry line: positive cents debit the account, negative cents credit it. */
export interface Posting {
  accountId: string;
  cents: number;
}

/** What a stored document did to the books, kept so an update, delete or void can undo exactly that. */
export interface Effects {
  /** TxnDate, for the reports' date ranges. */
  date: string;
  postings: Posting[];
  /** QtyOnHand changes (decimal text). */
  qty?: { itemId: string; delta: string }[];
  /** Payment → invoices it pays. */
  invoicePayments?: { invoiceId: string; cents: number }[];
  /** Deposit → the "Type:Id" keys of the transactions it clears. */
  deposits?: string[];
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** Everything one company holds; plain JSON so the stateFile is a JSON.stringify away. */
export interface CompanyState {
  realmId: string;
  country: Country;
  nextId: number;
  /** entity name → Id → entity. Deleted transactions are removed (their Ids are never reused). */
  entities: Record<string, Record<string, Entity>>;
  /** "Type:Id" (or "Item:Id:adj:n") → effects on the books. */
  effects: Record<string, Effects>;
  /** Invoice Id → cents applied by payments. */
  applied: Record<string, number>;
  /** "SalesReceipt:12" → Id of the Deposit that cleared it (a transaction is deposited once). */
  depositedIn: Record<string, string>;
  voided: Record<string, true>;
  /**
   * "Type:Id" → when it was deleted (MetaData time), for change data capture's `status: "Deleted"` objects
   * (docs/qbo-facts.md §5); absent in states saved before it existed.
   */
  deletedAt?: Record<string, string>;
  /** docs/qbo-facts.md §2: requestid → the original response. */
  requestIds: Record<string, StoredResponse>;
  jurisdictions: SalesTaxJurisdiction[];
  adjustments: number;
}

export function emptyState(realmId: string, country: Country): CompanyState {
  return {
    realmId,
    country,
    nextId: 1,
    entities: {},
    effects: {},
    applied: {},
    depositedIn: {},
    voided: {},
    deletedAt: {},
    requestIds: {},
    jurisdictions: [],
    adjustments: 0,
  };
}
