export { generateShop, type GenerateShopOptions, type GeneratedShop } from './generate';
export { DEFAULT_MIX, type Mix } from './mix';
export { REGIONS, type TaxRegion } from './regions';
export { writeSeedFiles } from './write';
export { generateStock, type GeneratedStock, type StockAccounts, type StockOptions } from './stock';
