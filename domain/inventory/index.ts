/** QBO quantity on hand → Shopify `available`: the pure parts of the inventory run (docs/inventory.md). */
export * from './keys';
export * from './plan';
export * from './target';
