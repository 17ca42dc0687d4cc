/**
 * The console's plain words: a store's health at a glance, and what each reason code of a parked or failed
 * document means and what fixes it. The codes are the ledger's own (domain/sync, domain/mapping); the row's
 * `reason` keeps the exact detail (QBO's own message when QBO refused a document), shown beside these words.
 */
import type { StoreView } from '../api/stores/views';

export type Health = 'active' | 'paused' | 'disconnected' | 'removed' | 'needs attention';

/** Removed, disconnected and paused say what the store is; an active store with parked or failed documents, a failed last run or an error needs attention. */
export function healthOf(view: StoreView): Health {
  if (view.state === 'removed') return 'removed';
  if (view.state === 'disconnected' || !view.connection.ok) return 'disconnected';
  if (view.state === 'paused') return 'paused';
  if (attentionCount(view) > 0 || view.lastRun?.status === 'failed' || view.lastError !== null) return 'needs attention';
  return 'active';
}

export const attentionCount = (view: StoreView): number => view.counts.parked + view.counts.failed;

export interface ReasonWords {
  /** What happened, in a sentence. */
  what: string;
  /** What fixes it. */
  fix: string;
}

const WORDS: Record<string, ReasonWords> = {
  needs_mapping: {
    what: 'QuickBooks has no item or account to book part of this order to.',
    fix: 'Create the item named below in QuickBooks (or switch the store to create missing items), then Retry.',
  },
  qbo_validation: {
    what: 'QuickBooks refused the document.',
    fix: "Read QuickBooks' message below, correct the setting or record it names, then Retry.",
  },
  mapping_error: {
    what: 'The order could not be turned into a QuickBooks document.',
    fix: 'Read the detail below; once its cause is fixed, Retry.',
  },
  total_mismatch: {
    what: "The document QuickBooks kept did not add up to Shopify's total, so it was removed.",
    fix: 'Check the tax and discount settings named below, then Retry.',
  },
  sales_tax_off: {
    what: 'Sales tax is switched off in the QuickBooks company.',
    fix: 'Turn sales tax on in QuickBooks; the next run books it (or Retry now).',
  },
  custom_txn_numbers_off: {
    what: 'Custom transaction numbers are off in the QuickBooks company.',
    fix: 'Turn on custom transaction numbers in QuickBooks; the next run books it (or Retry now).',
  },
  multi_gateway: {
    what: 'The order was paid through several gateways; one QuickBooks document has one deposit account.',
    fix: 'Book it by hand in QuickBooks, then Ignore it here.',
  },
  tax_inclusive_us: {
    what: 'Prices include tax, which US automated sales tax cannot book.',
    fix: 'If the QuickBooks company is not in the US, switch the store to the global tax mode, then Retry.',
  },
  order_too_long: {
    what: 'The order has more lines than one Shopify read returns, and is never booked from part of it.',
    fix: 'Book it by hand in QuickBooks, then Ignore it here.',
  },
  order_not_found: {
    what: 'Shopify no longer returns this order (deleted, or outside what the token may read).',
    fix: 'Ignore it, or Retry if the order is back.',
  },
  document_type_changed: {
    what: 'The order now needs another kind of QuickBooks document than the one already booked.',
    fix: 'Remove the old document in QuickBooks as the detail says, then Retry.',
  },
  edited_in_qbo: {
    what: 'Someone changed the document in QuickBooks, and Ledgerline does not overwrite their edit.',
    fix: 'Undo the edit in QuickBooks, or Ignore it here to keep it.',
  },
  duplicate_doc_number: {
    what: 'Another QuickBooks document already has this order number.',
    fix: 'Renumber or remove the other document in QuickBooks, then Retry.',
  },
  sale_not_booked: {
    what: 'This refund waits for its order to be booked.',
    fix: 'Fix the order first; the refund follows on the next run.',
  },
  refund_money_pending: {
    what: 'The refunded money has not left yet in Shopify.',
    fix: 'Nothing to do: the next run books it once Shopify records the money.',
  },
  retry_requested: {
    what: 'A retry was asked for: the next run books it again.',
    fix: 'Wait for the next run (a sync was requested).',
  },
  undone: {
    what: 'An undo deleted this document from QuickBooks; no run books it again.',
    fix: 'Nothing to do, unless it should be booked after all: Redo.',
  },
  redo_requested: {
    what: 'A redo was asked for after an undo: the next run books it again.',
    fix: 'Wait for the next run (a sync was requested).',
  },
  rejected: {
    what: 'Rejected in review: this document was not posted to QuickBooks.',
    fix: 'Nothing to do, unless it should be posted after all: Un-ignore, then approve it in Review.',
  },
};

const UNKNOWN: ReasonWords = {
  what: 'Ledgerline could not book this document.',
  fix: 'Read the detail below; once its cause is fixed, Retry.',
};

export function reasonWords(code: string | null): ReasonWords {
  return (code !== null ? WORDS[code] : undefined) ?? UNKNOWN;
}
