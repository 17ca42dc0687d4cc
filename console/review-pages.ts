/**
 * The console's "Review" page (issue #17 "Review before posting", docs/review.md; services/stores/review.ts): a store's
 * documents held for review, each with its lines, tax, accounts and totals, and the forms (each with its CSRF token)
 * to approve the selected ones, approve all, or reject the selected ones. The routes are registered on the console's
 * signed-in scope (console/plugin.ts), so sign-in, CSRF, access and the audit log are the other pages'.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { operateStore, readStore } from '../api/access';
import { loadStore, type StoreRow } from '../api/stores/views';
import { HttpError } from '../services/errors';
import type { StoreContext } from '../services/stores/context';
import { listReview, reviewHeld, reviewKeys, type HeldItemView, type ReviewList } from '../services/stores/review';
import type { ReviewAction } from '../domain/sync';
import { html, type Html } from './html';
import { csrfField, layout, when, type PageContext } from './pages';

export interface ReviewPageData {
  storeId: string;
  storeName: string;
  list: ReviewList;
  canOperate: boolean;
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
  /** The store's settings' account ids by id, with the settings that name them (a label beside each id). */
  accountRoles?: ReadonlyMap<string, string[]> | undefined;
}

/** Account id → the settings naming it ("accounts.undepositedFunds", "payouts.bankAccountId", …). */
export function accountRolesOf(settings: { accounts?: Record<string, string | undefined> } | null | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, id] of Object.entries(settings?.accounts ?? {})) {
    if (typeof id === 'string') out.set(id, [...(out.get(id) ?? []), key]);
  }
  return out;
}

const account = (id: string | null, roles: ReadonlyMap<string, string[]> | undefined): Html =>
  id === null ? html`—` : html`${id}${roles?.get(id) ? html` <span class="sub">(${roles.get(id)!.join(', ')})</span>` : ''}`;

/** Fixed texts for what a form did (the page shows these, never text from the request). */
const DONE: Record<string, string> = {
  approve: 'Approved: the sync requested now posts them to QuickBooks, each once.',
  reject: 'Rejected: they are not posted. Un-ignore one on the store page to have it held again.',
};

const STATE_WORDS: Record<string, string> = {
  awaiting_review: 'waiting for review',
  approved: 'approved: posted by the next run',
};

function documentDetail(item: HeldItemView, roles: ReadonlyMap<string, string[]> | undefined): Html {
  const d = item.document;
  if (!d) return html`<p class="sub">The built document was not kept.</p>`;
  const lines = d.lines.map(
    (l) =>
      html`<tr>
        <td data-label="Line">${l.description ?? (l.kind === 'discount' ? 'Discount' : '—')}</td>
        <td data-label="Item or account">
          ${l.kind === 'discount' ? html`account ${account(l.accountId, roles)}` : html`item ${l.itemId ?? '—'}`}
        </td>
        <td data-label="Qty" class="num">${l.qty ?? ''}</td>
        <td data-label="Unit price" class="num">${l.unitPrice ?? ''}</td>
        <td data-label="Tax code">${l.taxCodeId ?? ''}</td>
        <td data-label="Amount" class="num">${l.amount}</td>
      </tr>`,
  );
  return html`<dl class="facts">
      <div>
        <dt>Document</dt>
        <dd>${d.docType} ${d.docNumber ?? ''}</dd>
      </div>
      <div>
        <dt>Date</dt>
        <dd>${d.txnDate ?? '—'}</dd>
      </div>
      <div>
        <dt>Customer</dt>
        <dd>${d.customerId ?? '—'}</dd>
      </div>
      ${
        d.depositAccountId
          ? html`<div>
              <dt>Deposit account</dt>
              <dd>${account(d.depositAccountId, roles)}</dd>
            </div>`
          : ''
      }
      ${
        d.classId
          ? html`<div>
              <dt>Class</dt>
              <dd>${d.classId}</dd>
            </div>`
          : ''
      }
      ${
        d.departmentId
          ? html`<div>
              <dt>Location</dt>
              <dd>${d.departmentId}</dd>
            </div>`
          : ''
      }
      <div>
        <dt>Tax</dt>
        <dd>
          ${d.tax.total}
          ${d.currency}${d.tax.taxCodeId ? html` (tax code ${d.tax.taxCodeId})` : ''}${d.tax.lines.map(
            (t) => html`; rate ${t.taxRateId ?? '—'} ${t.percent ?? ''}%: ${t.amount}`,
          )}
        </dd>
      </div>
      <div>
        <dt>Total</dt>
        <dd><strong>${d.total} ${d.currency}</strong></dd>
      </div>
    </dl>
    <div class="table-wrap">
      <table class="runs">
        <caption class="visually-hidden">
          Lines of ${item.sourceName ?? item.sourceKey}
        </caption>
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">Item or account</th>
            <th scope="col">Qty</th>
            <th scope="col">Unit price</th>
            <th scope="col">Tax code</th>
            <th scope="col">Amount</th>
          </tr>
        </thead>
        <tbody>
          ${lines}
        </tbody>
      </table>
    </div>`;
}

function heldCard(item: HeldItemView, canOperate: boolean, index: number, roles: ReadonlyMap<string, string[]> | undefined): Html {
  const label = item.sourceName ?? item.sourceKey;
  return html`<li class="doc">
    <div class="doc-head">
      ${
        canOperate
          ? html`<input type="checkbox" name="ids" value="${item.sourceKey}" id="held-${index}" form="review-form" />
              <label for="held-${index}"><strong>${label}</strong></label>`
          : html`<strong>${label}</strong>`
      }
      <span class="sub">
        · ${item.document?.docType ?? 'document'} ·
        <span class="status-${item.state === 'approved' ? 'synced' : 'parked'}">${STATE_WORDS[item.state] ?? item.state}</span> · held
        ${when(item.heldAt)}</span
      >
    </div>
    ${item.reason ? html`<p class="detail">${item.reason}</p>` : ''} ${documentDetail(item, roles)}
  </li>`;
}

export function reviewPage(page: PageContext, data: ReviewPageData): Html {
  const id = encodeURIComponent(data.storeId);
  const { list } = data;
  const controls =
    data.canOperate && list.items.length > 0
      ? html`<div class="actions controls">
          <form method="post" action="/console/stores/${id}/review/approve" id="review-form">
            ${csrfField(page)}
            <button type="submit">Approve selected</button>
            <button type="submit" class="secondary" formaction="/console/stores/${id}/review/reject">Reject selected</button>
          </form>
          <form method="post" action="/console/stores/${id}/review/approve">
            ${csrfField(page)}<input type="hidden" name="all" value="true" />
            <button type="submit" class="secondary">Approve all ${list.count}</button>
          </form>
        </div>`
      : '';
  return layout(
    page,
    `Review · ${data.storeName}`,
    html`<p class="crumbs"><a href="/console/stores">Stores</a> / <a href="/console/stores/${id}">${data.storeName}</a> /</p>
      <h1>Review before posting</h1>
      ${data.notice ? html`<p class="alert ${data.notice.kind}" role="${data.notice.kind === 'error' ? 'alert' : 'status'}">${data.notice.text}</p>` : ''}
      <section class="card" aria-labelledby="review-title">
        <h2 id="review-title">Held documents <span class="count">${list.count}</span></h2>
        <p class="sub">
          ${
            list.posting === 'review'
              ? 'This store posts after review: each new sale is built and held here. Approved ones are posted to QuickBooks by the next run, once.'
              : 'This store posts automatically: anything still held here is posted by the next run.'
          }
        </p>
        ${
          list.items.length === 0
            ? html`<p>Nothing is held for review.</p>`
            : html`${controls}
                <ul class="docs">
                  ${list.items.map((item, i) => heldCard(item, data.canOperate, i, data.accountRoles))}
                </ul>
                ${list.count > list.items.length ? html`<p class="sub">The oldest ${list.items.length} are shown; approve or reject them to see the rest.</p>` : ''}`
        }
      </section>`,
  );
}

/** A form's `ids` (one checkbox gives a string, several an array) and `all`, as the JSON API's body. */
function formBody(body: { ids?: unknown; all?: unknown } | undefined, action: ReviewAction): { ids: string[] } | { all: true } {
  if (body?.all === 'true' && body.ids === undefined) return { all: true };
  const ids = typeof body?.ids === 'string' ? [body.ids] : body?.ids;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((k) => typeof k !== 'string' || k.length > 255)) {
    throw new HttpError(400, 'bad_request', `Select the documents to ${action} first`);
  }
  return { ids: [...new Set(ids as string[])] };
}

export interface ReviewRouteDeps {
  ctx: StoreContext;
  pageContext: (req: FastifyRequest, reply: FastifyReply) => PageContext;
  send: (reply: FastifyReply, page: Html, status?: number) => unknown;
}

/** GET /console/stores/:id/review and its two forms, on the console's signed-in scope. */
export function reviewConsoleRoutes(secured: FastifyInstance, { ctx, pageContext, send }: ReviewRouteDeps): void {
  const render = async (
    req: FastifyRequest,
    reply: FastifyReply,
    row: StoreRow,
    notice?: ReviewPageData['notice'],
    status = 200,
  ): Promise<unknown> =>
    send(
      reply,
      reviewPage(pageContext(req, reply), {
        storeId: row.id,
        storeName: row.shopName ?? row.shopDomain,
        list: await listReview(ctx, row),
        canOperate: req.principal?.scope === 'operate',
        notice,
        accountRoles: accountRolesOf(row.settings),
      }),
      status,
    );

  secured.get<{ Params: { id: string }; Querystring: { done?: string } }>(
    '/stores/:id/review',
    { config: { access: readStore } },
    async (req, reply) => {
      const done = req.query.done !== undefined ? DONE[req.query.done] : undefined;
      return render(req, reply, await loadStore(ctx, req.params.id), done ? { kind: 'ok', text: done } : undefined);
    },
  );

  for (const action of ['approve', 'reject'] as const) {
    secured.post<{ Params: { id: string }; Body: { ids?: unknown; all?: unknown } }>(
      `/stores/:id/review/${action}`,
      { config: { access: operateStore } },
      async (req, reply) => {
        const row = await loadStore(ctx, req.params.id);
        try {
          await reviewHeld(ctx, row, action, reviewKeys(formBody(req.body, action), action));
        } catch (err) {
          if (!(err instanceof HttpError) || err.statusCode >= 500) throw err;
          return render(req, reply, row, { kind: 'error', text: err.message }, err.statusCode);
        }
        return reply.redirect(`/console/stores/${encodeURIComponent(row.id)}/review?done=${action}`, 303);
      },
    );
  }
}
