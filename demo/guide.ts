/** The lines a newcomer reads once the demo is connected: where to look and what to try. */
import path from 'node:path';

export interface GuideInput {
  apiUrl: string;
  /** Set when LEDGERLINE_API_TOKEN is configured; otherwise the token is in the data dir's dev-secrets.json. */
  tokenFromEnv: boolean;
  dataDir: string;
  storeId: string;
  shopDomain: string;
  orders: number;
  days: number;
  companyName: string;
  realmId: string;
  shopifyUrl: string;
  qboUrl: string;
  temporalUiUrl: string | undefined;
  namespace: string;
  /** Numeric id of an unpaid order to mark paid (shows a webhook-driven sync), if the shop has one. */
  unpaidOrder: { id: string; name: string } | undefined;
}

/** Single quotes keep the shell from expanding anything in a URL. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function temporalStoreLink(uiUrl: string, namespace: string, shopDomain: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(`LedgerlineStore="${shopDomain}"`)}`;
}

export function demoGuide(g: GuideInput): string {
  const auth = '-H "Authorization: Bearer $TOKEN"';
  const store = `${g.apiUrl}/stores/${g.storeId}`;
  const token = g.tokenFromEnv
    ? 'TOKEN=$LEDGERLINE_API_TOKEN'
    : `TOKEN=$(node -p "require('${path.join(g.dataDir, 'dev-secrets.json').replace(/[\\']/g, '\\$&')}').apiToken")`;
  const lines = [
    '',
    'Demo: a generated Shopify shop and a QuickBooks Online company, both emulated in this process, connected',
    'through the API like a merchant would. Watch the store sync:',
    `  Shop          ${g.shopDomain}: ${g.orders} mixed orders over ${g.days} days (Shopify emulator ${g.shopifyUrl})`,
    `  QBO company   ${g.companyName}, realm ${g.realmId}, US with Automated Sales Tax (QBO emulator ${g.qboUrl})`,
    `  API token     ${token}`,
    `  Store status  curl -s ${auth} ${store}`,
    `  Documents     curl -s ${auth} ${q(`${store}/documents?status=synced`)}`,
    `  Sync now      curl -s -X POST ${auth} ${store}/sync`,
    g.temporalUiUrl
      ? `  Workflows     ${temporalStoreLink(g.temporalUiUrl, g.namespace, g.shopDomain)}`
      : `  Workflows     in your cluster's Temporal UI, search LedgerlineStore = "${g.shopDomain}"`,
    ...(g.unpaidOrder
      ? [
          `  A webhook     curl -s -X POST ${g.shopifyUrl}/_emulator/shops/${g.shopDomain}/orders/${g.unpaidOrder.id}/mark-paid`,
          `                (order ${g.unpaidOrder.name} gets paid; Shopify sends orders/paid and Ledgerline syncs it within seconds)`,
        ]
      : []),
    `  Emulators     Shopify requests  ${q(`${g.shopifyUrl}/_emulator/requests?shop=${g.shopDomain}`)}`,
    `                Shopify webhooks  ${g.shopifyUrl}/_emulator/webhooks/deliveries`,
    `                QBO company       ${g.qboUrl}/_emulator/companies/${g.realmId}   (entity counts grow as documents land)`,
    `                QBO requests      ${q(`${g.qboUrl}/_emulator/requests?realmId=${g.realmId}&limit=20`)}`,
    `  State         ${path.join(g.dataDir, 'demo')} (a restart resumes this demo; delete ${g.dataDir} for a new one)`,
    '',
  ];
  return lines.join('\n');
}
