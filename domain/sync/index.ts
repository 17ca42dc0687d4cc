export * from './faults';
export * from './ledger-entry';
export * from './orders';
export * from './window';
export * from './refunds';
export * from './undo';
export * from './review';
