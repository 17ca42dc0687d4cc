// REST-shaped (snake_case) webhook bodies: enough for a receiver to identify and re-fetch the
// resource (`id` numeric, `admin_graphql_api_id`, `updated_at`), as Shopify's payloads allow.
import { legacyId } from './gid';
import type { Obj, ShopState } from './state';

const num = (id: unknown): number | null => {
  const l = legacyId(id);
  return l === undefined ? null : Number(l);
};
const amount = (bag: Obj | null | undefined): string | null => bag?.shopMoney?.amount ?? null;

export function orderPayload(order: Obj): Obj {
  return {
    id: num(order.id),
    admin_graphql_api_id: order.id,
    name: order.name,
    order_number: Number(String(order.name ?? '').replace(/\D/g, '')) || null,
    email: order.email ?? null,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    processed_at: order.processedAt,
    cancelled_at: order.cancelledAt ?? null,
    cancel_reason: order.cancelReason ? String(order.cancelReason).toLowerCase() : null,
    financial_status: order.displayFinancialStatus ? String(order.displayFinancialStatus).toLowerCase() : null,
    currency: order.currencyCode,
    presentment_currency: order.presentmentCurrencyCode ?? order.currencyCode,
    taxes_included: order.taxesIncluded,
    test: order.test,
    subtotal_price: amount(order.subtotalPriceSet),
    total_price: amount(order.totalPriceSet),
    total_tax: amount(order.totalTaxSet),
    total_discounts: amount(order.totalDiscountsSet),
    current_total_price: amount(order.currentTotalPriceSet),
    payment_gateway_names: order.paymentGatewayNames ?? [],
  };
}

export function refundPayload(order: Obj, refund: Obj): Obj {
  return {
    id: num(refund.id),
    admin_graphql_api_id: refund.id,
    order_id: num(order.id),
    created_at: refund.createdAt,
    processed_at: refund.processedAt ?? refund.createdAt,
    note: refund.note ?? null,
    restock: (refund.refundLineItems?.nodes ?? []).some((r: Obj) => r.restocked),
    transactions: (refund.transactions?.nodes ?? []).map((t: Obj) => ({
      id: num(t.id),
      admin_graphql_api_id: t.id,
      order_id: num(order.id),
      kind: String(t.kind).toLowerCase(),
      status: String(t.status).toLowerCase(),
      gateway: t.gateway,
      amount: amount(t.amountSet),
      created_at: t.processedAt,
    })),
  };
}

export function bulkFinishPayload(op: Obj): Obj {
  return {
    admin_graphql_api_id: op.id,
    completed_at: op.completedAt,
    created_at: op.createdAt,
    error_code: op.errorCode ? String(op.errorCode).toLowerCase() : null,
    status: String(op.status).toLowerCase(),
    type: String(op.type).toLowerCase(),
  };
}

/** `app/uninstalled`: the REST Shop resource; `myshopify_domain` is the permanent domain, `domain` the primary one. */
export function shopPayload(shop: ShopState): Obj {
  return {
    id: num(shop.info.id),
    name: shop.info.name,
    email: shop.info.email,
    domain: shop.info.primaryDomain?.host ?? shop.domain,
    myshopify_domain: shop.domain,
    currency: shop.info.currencyCode,
    iana_timezone: shop.info.ianaTimezone,
  };
}
