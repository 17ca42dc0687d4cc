// The emulator's own HTTP API under /_emulator/ (documented in README.md): shops, orders, refunds,
// payments data, products, faults, the request log, webhook deliveries, bulk result files.
import type { ServerResponse } from 'node:http';
import type { ShopifyAdmin } from './admin';
import { sendJson } from './graphql-handler';
import { AdminError } from './order-helpers';
import type { Obj } from './state';

type Handler = (params: string[], body: any, query: URLSearchParams) => unknown;
const list = (body: unknown): Obj[] => (Array.isArray(body) ? body : [body]) as Obj[];

export function adminRoutes(admin: ShopifyAdmin): [string, RegExp, Handler][] {
  const shopPath = '/_emulator/shops/([^/]+)';
  const orderPath = `${shopPath}/orders/([^/]+)`;
  return [
    ['POST', /^\/_emulator\/shops$/, (_p, body) => admin.createShop(body).domain],
    ['POST', new RegExp(`^${shopPath}/uninstall$`), ([d]) => admin.uninstallApp(d!)],
    ['POST', /^\/_emulator\/reset$/, () => admin.reset()],
    ['POST', /^\/_emulator\/apps$/, (_p, body) => admin.registerApp(body)],
    ['GET', /^\/_emulator\/requests$/, (_p, _b, q) => admin.requests(q.get('shop') ?? undefined)],
    ['GET', /^\/_emulator\/faults$/, () => admin.faults()],
    ['POST', /^\/_emulator\/faults$/, (_p, body) => admin.addFaults(body)],
    ['DELETE', /^\/_emulator\/faults$/, () => admin.clearFaults()],
    ['GET', /^\/_emulator\/webhooks\/deliveries$/, () => admin.webhookDeliveries()],
    ['POST', new RegExp(`^${shopPath}/orders$`), ([d], body) => admin.upsertOrders(d!, list(body)).map((o) => o.id)],
    ['GET', new RegExp(`^${orderPath}$`), ([d, id]) => admin.getOrder(d!, id!)],
    ['POST', new RegExp(`^${orderPath}/refunds$`), ([d, id], body) => admin.addRefund(d!, id!, body ?? {})],
    ['POST', new RegExp(`^${orderPath}/mark-paid$`), ([d, id], body) => admin.markPaid(d!, id!, body ?? {})],
    ['POST', new RegExp(`^${orderPath}/cancel$`), ([d, id], body) => admin.cancelOrder(d!, id!, body ?? {})],
    ['POST', new RegExp(`^${orderPath}/fulfil$`), ([d, id], body) => admin.fulfilOrder(d!, id!, body ?? {})],
    ['POST', new RegExp(`^${shopPath}/payouts$`), ([d], body) => admin.addPayouts(d!, list(body))],
    ['POST', new RegExp(`^${shopPath}/payouts/issue$`), ([d], body) => admin.issuePayout(d!, body ?? {})],
    ['POST', new RegExp(`^${shopPath}/payouts/([^/]+)/status$`), ([d, id], body) => admin.setPayoutStatus(d!, id!, body ?? {})],
    ['POST', new RegExp(`^${shopPath}/balance-transactions$`), ([d], body) => admin.addBalanceTransactions(d!, list(body))],
    ['POST', new RegExp(`^${shopPath}/products$`), ([d], body) => admin.addProducts(d!, list(body))],
  ];
}

export function handleAdmin(admin: ShopifyAdmin, method: string, url: URL, rawBody: string, res: ServerResponse): void {
  const bulk = /^\/_emulator\/bulk\/([^/]+)\/([^/]+\.jsonl)$/.exec(url.pathname);
  if (method === 'GET' && bulk) {
    const text = admin.bulkFile(decodeURIComponent(bulk[1]!), bulk[2]!);
    if (text === undefined) return sendJson(res, 404, { errors: 'Not Found' });
    res.writeHead(200, { 'Content-Type': 'application/jsonl', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  for (const [m, re, handler] of adminRoutes(admin)) {
    const match = re.exec(url.pathname);
    if (!match || m !== method) continue;
    try {
      const body = rawBody ? JSON.parse(rawBody) : undefined;
      const result = handler(match.slice(1).map(decodeURIComponent), body, url.searchParams);
      return sendJson(res, method === 'POST' ? 201 : 200, { ok: true, result: result ?? null });
    } catch (err) {
      const status = err instanceof AdminError ? err.status : 400;
      return sendJson(res, status, { ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  sendJson(res, 404, { ok: false, error: `No emulator route ${method} ${url.pathname}` });
}
