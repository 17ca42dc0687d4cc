/**
 * The console's "Undo a window" (services/stores/undo.ts, docs/undo.md): the store page's small form (from, to), the
 * preview page listing every document the undo would delete (and what it leaves, with why) with a confirmation form
 * (CSRF), and the result page (the form itself is on the store page, console/pages.ts undoForm). Times are in UTC.
 */
import type { UndoPreview, UndoStatus } from '../services/stores/undo';
import { html, type Html } from './html';
import { csrfField, layout, when, type PageContext } from './pages';

const ACTION_WORDS: Record<string, string> = { delete: 'will be deleted', skip: 'nothing to do', refuse: 'left in QuickBooks' };
const OUTCOME_WORDS: Record<string, string> = {
  deleted: 'deleted',
  gone: 'already gone from QuickBooks',
  refused: 'left in QuickBooks',
  skipped: 'nothing to do',
};

const back = (storeId: string) =>
  html`<p class="crumbs">
    <a href="/console/stores">Stores</a> / <a href="/console/stores/${encodeURIComponent(storeId)}">${storeId}</a> /
  </p>`;

function itemRow(i: {
  sourceName: string | null;
  sourceKey: string;
  role: string;
  qboType: string | null;
  qboId: string | null;
  qboDocNumber: string | null;
  /** Undefined on the result page, which has no Total column (the result does not carry totals). */
  total?: string | null;
  what: string;
  reason: string | null;
}): Html {
  return html`<tr>
    <td data-label="Source">${i.sourceName ?? i.sourceKey} <span class="sub">(${i.role})</span></td>
    <td data-label="QuickBooks">${i.qboType ?? '—'} ${i.qboId ? html`#${i.qboId}` : ''}</td>
    <td data-label="Number">${i.qboDocNumber ?? '—'}</td>
    ${i.total === undefined ? '' : html`<td data-label="Total">${i.total ?? '—'}</td>`}
    <td data-label="Undo">${i.what}${i.reason ? html`: ${i.reason}` : ''}</td>
  </tr>`;
}

function table(caption: string, rows: Html[], withTotal = true): Html {
  return html`<div class="table-wrap">
    <table class="runs">
      <caption class="visually-hidden">
        ${caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">QuickBooks</th>
          <th scope="col">Number</th>
          ${withTotal ? html`<th scope="col">Total</th>` : ''}
          <th scope="col">Undo</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}

export function undoPreviewPage(page: PageContext, storeId: string, p: UndoPreview): Html {
  const id = encodeURIComponent(storeId);
  const rows = p.items.map((i) => itemRow({ ...i, what: ACTION_WORDS[i.action] ?? i.action, reason: i.reason }));
  return layout(
    page,
    'Undo a window',
    html`${back(storeId)}
      <h1>Undo ${when(p.from)} → ${when(p.to)}</h1>
      <section class="card" aria-labelledby="preview-title">
        <h2 id="preview-title">${p.counts.delete} document${p.counts.delete === 1 ? '' : 's'} to delete</h2>
        ${p.items.length === 0 ? html`<p>Ledgerline booked nothing for this window.</p>` : table('What the undo would do', rows)}
        <ul class="sub">
          ${p.notes.map((n) => html`<li>${n}</li>`)}
        </ul>
        ${
          p.counts.delete > 0
            ? html`<form method="post" action="/console/stores/${id}/undo" class="actions">
                ${csrfField(page)}<input type="hidden" name="from" value="${p.from}" /><input type="hidden" name="to" value="${p.to}" />
                <button type="submit">Delete ${p.counts.delete} document${p.counts.delete === 1 ? '' : 's'} from QuickBooks</button>
                <a href="/console/stores/${id}">Cancel</a>
              </form>`
            : html`<p><a href="/console/stores/${id}">Back to the store</a></p>`
        }
      </section>`,
  );
}

export function undoResultPage(page: PageContext, storeId: string, s: UndoStatus): Html {
  const id = encodeURIComponent(storeId);
  let body: Html;
  if (s.status === 'running') {
    body = html`<p role="status">The undo is waiting for a running sync or still deleting.</p>
      <p><a href="/console/stores/${id}/undo/${encodeURIComponent(s.undoId)}">Look again</a></p>`;
  } else if (s.status === 'failed') {
    body = html`<p class="alert error" role="alert">The undo failed: ${s.error}</p>`;
  } else {
    const r = s.result;
    body = html`<h2>What the undo did</h2>
      <p role="status">${r.deleted} deleted · ${r.gone} already gone · ${r.refused} left in QuickBooks · ${r.skipped} with nothing to do</p>
      ${table(
        'What the undo did',
        r.items.map((i) => itemRow({ ...i, what: OUTCOME_WORDS[i.outcome] ?? i.outcome, reason: i.reason })),
        false,
      )}
      ${
        r.itemsOmitted
          ? html`<p>${r.itemsOmitted} more documents are not listed here; the store's documents with status “undone” are all of them.</p>`
          : ''
      }`;
  }
  return layout(
    page,
    'Undo',
    html`${back(storeId)}
      <h1>Undo ${s.undoId}</h1>
      <section class="card">
        ${body}
        <p><a href="/console/stores/${id}">Back to the store</a></p>
      </section>`,
  );
}
