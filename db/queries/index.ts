/**
 * Every statement Ledgerline runs against its tables, as `(db, params)` functions: one module per table
 * or aggregate. Callers pass the database or an open transaction (`Executor`).
 */
export type { Executor, Tx } from './executor';
export * from './credentials';
export * from './leases';
export * from './ledger';
export * from './qbo-refs';
export * from './rate-windows';
export * from './stores';
export * from './sync-runs';
export * from './webhooks';
export * from './audit';
export * from './store-audits';
export * from './payouts';
export * from './pending-connects';
export * from './shop-secrets';
export * from './oauth';
export * from './inventory';
export * from './qbo-usage';
