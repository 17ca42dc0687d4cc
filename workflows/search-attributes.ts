import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes that let operators find a store's workflows in the Temporal UI
 * (`LedgerlineStore = "acme.myshopify.com"`). Registered on the dev server by flag and on an existing
 * cluster through the operator service (temporal/connection.ts).
 */
export const STORE_SEARCH_ATTRIBUTE = defineSearchAttributeKey('LedgerlineStore', 'KEYWORD');
export const STATE_SEARCH_ATTRIBUTE = defineSearchAttributeKey('LedgerlineState', 'KEYWORD');

/** A payout saga's state (workflows/payout.ts): `LedgerlinePayoutState = "held"` finds every payout a person must look at. */
export const PAYOUT_STATE_SEARCH_ATTRIBUTE = defineSearchAttributeKey('LedgerlinePayoutState', 'KEYWORD');

export const SEARCH_ATTRIBUTES = [STORE_SEARCH_ATTRIBUTE, STATE_SEARCH_ATTRIBUTE, PAYOUT_STATE_SEARCH_ATTRIBUTE];
