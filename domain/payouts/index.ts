/** Shopify Payments payouts → QBO Deposits: the pure parts of the payout saga (docs/payouts.md). */
export * from './accounts';
export * from './arithmetic';
export * from './categories';
export * from './decide';
export * from './deposit';
export * from './documents';
export * from './journal';
export { type RetriedContents } from './link';
export * from './names';
export * from './qbo-types';
export * from './readback';
export * from './report';
export * from './types';
