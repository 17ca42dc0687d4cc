/**
 * The store page's "Last 30 days" card (issue #17): documents booked per day and the QBO realm's API use against
 * its limits (api/stores/stats.ts). The figures are a server-rendered table, so the card means the same without
 * script; static/charts.js draws them as two charts with uPlot (served from node_modules by console/plugin.ts)
 * from the console's JSON twin of GET /stores/:id/stats.
 */
import type { StoreStats } from '../api/stores/stats';
import { html, type Html } from './html';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function statsSection(storeId: string, s: StoreStats): Html {
  const t = s.totals;
  const rows = [...s.series].reverse().map(
    (d) =>
      html`<tr>
        <th scope="row"><time datetime="${d.day}">${d.day}</time></th>
        <td class="num">${d.documents.sales}</td>
        <td class="num">${d.documents.refunds}</td>
        <td class="num">${d.documents.payouts}</td>
        <td class="num">${d.qbo.calls}</td>
        <td class="num">${d.qbo.peakCallsPerMinute}</td>
        <td class="num">${d.qbo.peakBatchesPerMinute}</td>
        <td class="num">${d.qbo.throttled}</td>
      </tr>`,
  );
  const docsLabel = `Documents booked per day over the last ${s.days} days: ${t.documents.total} in all (${t.documents.sales} sales, ${t.documents.refunds} refunds, ${t.documents.payouts} payouts). The table below has each day's figures.`;
  const qboLabel = `QuickBooks API use per day over the last ${s.days} days, as the busiest minute's share of the realm's limits: at most ${t.qbo.peakCallsPerMinute} calls in a minute of ${s.limits.requestsPerMinute} allowed, ${t.qbo.peakBatchesPerMinute} batch calls of ${s.limits.batchesPerMinute}. The table below has each day's figures.`;
  return html`<section class="card" aria-labelledby="stats-title">
    <link rel="stylesheet" href="/console/assets/uplot/uPlot.min.css" />
    <link rel="stylesheet" href="/console/assets/charts.css" />
    <h2 id="stats-title">Last ${s.days} days</h2>
    <p>
      ${plural(t.documents.total, 'document')} booked in QuickBooks: ${t.documents.sales} for sales, ${t.documents.refunds} for refunds,
      ${t.documents.payouts} for payouts.
    </p>
    <p>
      ${plural(t.qbo.calls, 'QuickBooks API call')} for realm ${s.realmId} (every store on this company counts), ${t.qbo.batches} of them
      batch calls. Busiest minute: ${t.qbo.peakCallsPerMinute} calls of the ${s.limits.requestsPerMinute} a minute QuickBooks allows,
      ${t.qbo.peakBatchesPerMinute} batch calls of ${s.limits.batchesPerMinute}.
      ${t.qbo.throttled > 0 ? html`<span class="status-failed">${plural(t.qbo.throttled, 'call')} throttled (429).</span>` : 'None throttled.'}
    </p>
    <div id="stats" class="charts" data-url="/console/stores/${encodeURIComponent(storeId)}/stats?days=${String(s.days)}">
      <figure class="chart">
        <figcaption id="chart-documents-title">Documents booked per day</figcaption>
        <div class="chart-box" data-chart="documents" role="img" aria-label="${docsLabel}"></div>
      </figure>
      <figure class="chart">
        <figcaption id="chart-qbo-title">QuickBooks API use: the busiest minute of each day, % of the limit</figcaption>
        <div class="chart-box" data-chart="qbo" role="img" aria-label="${qboLabel}"></div>
      </figure>
    </div>
    <details>
      <summary>The figures by day</summary>
      <div class="table-wrap stats-table">
        <table>
          <caption class="visually-hidden">
            Documents booked and QuickBooks API use per day (UTC), newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Sales</th>
              <th scope="col">Refunds</th>
              <th scope="col">Payouts</th>
              <th scope="col">API calls</th>
              <th scope="col">Busiest minute: calls (limit ${s.limits.requestsPerMinute})</th>
              <th scope="col">Busiest minute: batch calls (limit ${s.limits.batchesPerMinute})</th>
              <th scope="col">Throttled (429)</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>
      </div>
    </details>
    <script src="/console/assets/uplot/uPlot.iife.min.js" defer></script>
    <script src="/console/assets/charts.js" defer></script>
  </section>`;
}
