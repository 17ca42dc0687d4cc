/**
 * More of the store page (issue #17 "Store page: … resync a window, settings; … payouts with their reconciliation
 * state"): the resync and settings forms, which post to the console's routes over the same services as
 * POST /stores/:id/resync and PUT /stores/:id/settings, and the payouts card over GET /stores/:id/payouts' view.
 */
import type { PayoutListItem } from '../api/payouts/views';
import type { StoreView } from '../api/stores/views';
import { html, type Html } from './html';

/** A workflow's page in the Temporal UI (TEMPORAL_UI_URL, its namespace). */
export function temporalWorkflowUrl(ui: { baseUrl: string; namespace: string }, workflowId: string): string {
  return `${ui.baseUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export interface StoreExtras {
  /** The store's posting mode and interval as saved (domain/settings.ts). */
  posting: 'auto' | 'review';
  intervalMinutes: number;
  startDate: string;
  payouts: { enabled: boolean; items: PayoutListItem[]; counts: Record<string, number> };
  workflowUrl(workflowId: string): string;
}

/** Resync from a date, and the two settings an operator changes most (the rest: PUT /stores/:id/settings or the wizard). */
/** `csrf`: the form field with the page's CSRF token; `when`: the page's way of showing an instant. */
export function storeForms(csrf: Html, when: (iso: string) => Html, v: StoreView, x: StoreExtras): Html {
  const id = encodeURIComponent(v.id);
  const active = v.state === 'active';
  return html`<section class="card" aria-labelledby="resync-title">
      <h2 id="resync-title">Resync a window</h2>
      <p class="sub">
        Reads every order and refund updated since this time again and books what is missing or changed; what is booked already is not
        booked twice. Not before the store's start date (${when(x.startDate)}).
      </p>
      <form method="post" action="/console/stores/${id}/resync" class="inline-form">
        ${csrf}
        <label for="resync-from">From (UTC)</label>
        <input id="resync-from" name="from" type="datetime-local" required />
        <button type="submit" ${active ? '' : 'disabled'}>Resync</button>
      </form>
    </section>
    <section class="card" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form method="post" action="/console/stores/${id}/settings" class="stack">
        ${csrf}
        <label for="settings-interval">Sync every (minutes)</label>
        <input
          id="settings-interval"
          name="syncIntervalMinutes"
          type="number"
          inputmode="numeric"
          min="1"
          value="${String(x.intervalMinutes)}"
          aria-describedby="settings-interval-hint"
        />
        <p id="settings-interval-hint" class="sub">How often the store's loop syncs on its own (webhooks and Sync now do not wait).</p>
        <label for="settings-posting">Posting</label>
        <select id="settings-posting" name="posting" aria-describedby="settings-posting-hint">
          <option value="auto" ${x.posting === 'auto' ? 'selected' : ''}>Automatic: book each sale as it is read</option>
          <option value="review" ${x.posting === 'review' ? 'selected' : ''}>Review: hold new sales until approved</option>
        </select>
        <p id="settings-posting-hint" class="sub">Held sales wait under Review on this page; switching back to automatic books them.</p>
        <button type="submit" class="secondary">Save settings</button>
      </form>
    </section>`;
}

const PAYOUT_STATE_WORDS: Record<string, string> = {
  discovered: 'seen',
  scheduled: 'waiting for Shopify to pay it',
  reading: 'being read',
  waiting_documents: 'waiting for its orders to be booked',
  held: 'held: needs a person',
  posting: 'being deposited',
  watching: 'deposited; watching for a failed transfer',
  posted: 'deposited in QuickBooks',
  compensated: 'undone after a failed transfer',
  failed: 'failed at Shopify',
  canceled: 'canceled at Shopify',
  empty: 'nothing to deposit',
};

export function payoutsCard(when: (iso: string) => Html, x: StoreExtras): Html {
  const p = x.payouts;
  let body: Html;
  if (!p.enabled && p.items.length === 0) {
    body = html`<p>
      Payouts are off for this store: Shopify Payments payouts are not deposited in QuickBooks (settings <code>payouts.enabled</code>).
    </p>`;
  } else if (p.items.length === 0) {
    body = html`<p>No payout seen yet: each Shopify Payments payout appears here once a sync discovers it.</p>`;
  } else {
    const rows = p.items.map(
      (i) =>
        html`<tr>
          <td data-label="Issued">${when(i.issuedAt)}</td>
          <td data-label="Shopify">${i.status.toLowerCase()}</td>
          <td data-label="Net">${i.net} ${i.currency}</td>
          <td data-label="Fees">${i.fees ?? '—'}</td>
          <td data-label="Reconciliation">
            <span class="status-${i.needsAttention ? 'failed' : i.state === 'posted' || i.state === 'watching' ? 'completed' : 'running'}"
              >${PAYOUT_STATE_WORDS[i.state] ?? i.state}</span
            >${i.reason ? html`<br /><span class="sub">${i.reason}</span>` : ''}
          </td>
          <td data-label="QuickBooks">${i.depositId ? `Deposit ${i.depositId}` : '—'}</td>
          <td data-label="Saga"><a href="${x.workflowUrl(i.workflowId)}" rel="noopener">Temporal UI</a></td>
        </tr>`,
    );
    const counts = Object.entries(p.counts)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${PAYOUT_STATE_WORDS[s] ?? s}`)
      .join(' · ');
    body = html`<p class="sub">${counts}</p>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">
            The store's latest payouts and their reconciliation, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Issued</th>
              <th scope="col">Shopify</th>
              <th scope="col">Net</th>
              <th scope="col">Fees</th>
              <th scope="col">Reconciliation</th>
              <th scope="col">QuickBooks</th>
              <th scope="col">Saga</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>
      </div>`;
  }
  return html`<section class="card" aria-labelledby="payouts-title">
    <h2 id="payouts-title">Payouts</h2>
    ${body}
  </section>`;
}
