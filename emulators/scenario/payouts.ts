// Shopify Payments balance transactions (charges with fees, refunds, a chargeback, a reserve and
// its release) and payouts every 1–3 days that group them: payout net = Σ transaction nets (the
// payout's own TRANSFER row left out, as domain/payouts/arithmetic.ts sums them), and the summary's
// gross − fee per category adds up to the same net. Payouts issued in the last two days of the
// period are SCHEDULED, older ones PAID. Each payout also has its own TRANSFER row (amount = net =
// −payout net, fee 0): the summary and that row come from the emulator's payout-ops.ts, which
// issues payouts the same way at run time.
import { gid, legacyId } from '../shopify/gid';
import { bagCents, moneyV2, toCents } from '../shopify/money';
import { payoutSummary, transferRow } from '../shopify/payout-ops';
import type { Rng } from '../shopify/prng';
import type { Obj } from '../shopify/state';
import { isoSeconds } from '../shopify/time';
import type { IdSource } from './ids';

const DAY = 86_400_000;
const CHARGEBACK_FEE = 1500;

interface Bt {
  obj: Obj;
  at: number;
  net: number;
}

function balanceTx(
  ids: IdSource,
  currency: string,
  f: { type: string; sourceType: string; amount: number; fee: number; at: number; order?: Obj; sourceTx?: Obj; reason?: string },
): Bt {
  const net = f.amount - f.fee;
  const id = ids.next();
  return {
    at: f.at,
    net,
    obj: {
      id: gid('ShopifyPaymentsBalanceTransaction', id),
      type: f.type,
      test: false,
      transactionDate: isoSeconds(f.at),
      sourceType: f.sourceType,
      sourceId: f.sourceTx ? legacyId(f.sourceTx.id) : String(id),
      sourceOrderTransactionId: f.sourceTx ? legacyId(f.sourceTx.id) : null,
      adjustmentReason: f.reason ?? null,
      adjustmentsOrders: [],
      amount: moneyV2(f.amount, currency),
      fee: moneyV2(f.fee, currency),
      net: moneyV2(net, currency),
      associatedOrder: f.order ? { id: f.order.id, name: f.order.name } : null,
      associatedPayout: { id: null, status: 'PENDING' },
    },
  };
}

/** Charges and refunds of every live (non-test) Shopify Payments transaction. */
function fromOrders(ids: IdSource, currency: string, orders: Obj[]): Bt[] {
  const out: Bt[] = [];
  for (const order of orders.filter((o) => !o.test)) {
    for (const t of (order.transactions as Obj[]).filter((x) => x.gateway === 'shopify_payments' && x.status === 'SUCCESS')) {
      const at = Date.parse(t.processedAt);
      const cents = bagCents(t.amountSet);
      const fee = (t.fees as Obj[]).reduce((s, f) => s + toCents(f.amount.amount), 0);
      if (t.kind === 'SALE' || t.kind === 'CAPTURE')
        out.push(balanceTx(ids, currency, { type: 'CHARGE', sourceType: 'CHARGE', amount: cents, fee, at, order, sourceTx: t }));
      if (t.kind === 'REFUND')
        out.push(balanceTx(ids, currency, { type: 'REFUND', sourceType: 'REFUND', amount: -cents, fee: 0, at, order, sourceTx: t }));
    }
  }
  return out;
}

/** A chargeback on a few paid orders and a rolling reserve held, then released. */
function adjustments(rng: Rng, ids: IdSource, currency: string, charges: Bt[], startMs: number, endMs: number): Bt[] {
  const out: Bt[] = [];
  const candidates = charges.filter((c) => c.obj.type === 'CHARGE' && c.at + 20 * DAY < endMs);
  const count = candidates.length >= 50 ? Math.max(1, Math.round(candidates.length / 500)) : 0;
  for (let i = 0; i < count; i++) {
    const charge = rng.pick(candidates);
    const amount = toCents(charge.obj.amount.amount);
    out.push(
      balanceTx(ids, currency, {
        type: 'ADJUSTMENT',
        sourceType: 'DISPUTE',
        amount: -amount,
        fee: CHARGEBACK_FEE,
        at: charge.at + rng.int(5, 20) * DAY,
        order: { id: charge.obj.associatedOrder.id, name: charge.obj.associatedOrder.name },
        reason: 'chargeback',
      }),
    );
  }
  if (endMs - startMs >= 10 * DAY && charges.length > 0) {
    const held = Math.max(100, Math.floor(charges.slice(0, 50).reduce((s, c) => s + c.net, 0) / 20));
    out.push(
      balanceTx(ids, currency, {
        type: 'RESERVED_FUNDS',
        sourceType: 'ADJUSTMENT',
        amount: -held,
        fee: 0,
        at: startMs + 3 * DAY,
        reason: 'reserve',
      }),
    );
    out.push(
      balanceTx(ids, currency, {
        type: 'RESERVED_FUNDS_REVERSAL',
        sourceType: 'ADJUSTMENT',
        amount: held,
        fee: 0,
        at: endMs - 3 * DAY,
        reason: 'reserve_release',
      }),
    );
  }
  return out;
}

export function generatePayouts(
  rng: Rng,
  ids: IdSource,
  currency: string,
  orders: Obj[],
  startMs: number,
  endMs: number,
): { payouts: Obj[]; balanceTransactions: Obj[] } {
  const charges = fromOrders(ids, currency, orders);
  const all = [...charges, ...adjustments(rng, ids, currency, charges, startMs, endMs)].sort((a, b) => a.at - b.at);
  const payouts: Obj[] = [];
  const transfers: Bt[] = [];
  let open = all.slice();
  const firstDay = Math.floor(startMs / DAY) * DAY;
  for (let day = firstDay + rng.int(1, 3) * DAY; day <= endMs; day += rng.int(1, 3) * DAY) {
    const due = open.filter((b) => b.at < day);
    const net = due.reduce((s, b) => s + b.net, 0);
    // A non-positive balance is carried into the next payout.
    if (due.length === 0 || net <= 0) continue;
    open = open.filter((b) => b.at >= day);
    const issued = day + 10 * 3_600_000;
    const pid = ids.next();
    // SCHEDULED: created with its transactions, not yet sent to the bank (IN_TRANSIT is deprecated).
    const status = issued < endMs - 2 * DAY ? 'PAID' : 'SCHEDULED';
    const payout = {
      id: gid('ShopifyPaymentsPayout', pid),
      legacyResourceId: String(pid),
      issuedAt: isoSeconds(issued),
      status,
      transactionType: 'DEPOSIT',
      externalTraceId: null,
      net: moneyV2(net, currency),
      summary: payoutSummary(
        currency,
        due.map((b) => b.obj),
      ),
    };
    for (const b of due) b.obj.associatedPayout = { id: payout.id, status };
    transfers.push({ obj: transferRow(ids.next(), payout), at: issued, net: -net });
    payouts.push(payout);
  }
  // Stable: a payout's TRANSFER row comes after the rows processed at the same second.
  const rows = [...all, ...transfers].sort((a, b) => a.at - b.at);
  return { payouts, balanceTransactions: rows.map((b) => b.obj) };
}
