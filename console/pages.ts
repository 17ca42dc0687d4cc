/**
 * The console's pages as typed template functions (console/html.ts escapes every value): the sign-in page,
 * the stores list, a store's page and the error page. Plain HTML forms post to the console's routes
 * (console/plugin.ts); every form carries the CSRF token. No script: the pages work as they are.
 */
import type { DocumentView } from '../api/stores/documents';
import type { ProgressView, StoreView } from '../api/stores/views';
import type { SyncRunRow } from '../db/queries/sync-runs';
import type { Principal } from '../api/tokens';
import { html, type Html } from './html';
import { statsSection } from './stats-pages';
import type { StoreStats } from '../api/stores/stats';
import { payoutsCard, storeForms, temporalWorkflowUrl, type StoreExtras } from './store-extras';
import { attentionCount, healthOf, reasonWords, type Health } from './words';

export interface PageContext {
  csrf: string;
  principal?: Principal | undefined;
}

/** A date as the operator reads it (UTC, to the minute) inside a <time> with the exact instant. */
export function when(iso: string | null | undefined, empty = '—'): Html {
  if (!iso) return html`${empty}`;
  const d = new Date(iso);
  const text = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${d.toISOString()}">${text}</time>`;
}

/** A first run reads all history: its window starts at the epoch, shown as such rather than as 1970. */
const windowStart = (from: Date | null): Html => (from && from.getUTCFullYear() > 1970 ? when(from.toISOString()) : html`the first order`);

export const csrfField = (page: PageContext) => html`<input type="hidden" name="_csrf" value="${page.csrf}" />`;

export function layout(page: PageContext, title: string, body: Html): Html {
  const who = page.principal;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Ledgerline</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/console/stores">Ledgerline</a>
          ${
            who
              ? html`<nav aria-label="Main"><a href="/console/stores">Stores</a></nav>
                  <form class="signout" method="post" action="/console/sign-out">
                    ${csrfField(page)}<span class="who">${who.label}${who.scope === 'read' ? ' (read only)' : ''}</span>
                    <button type="submit" class="link">Sign out</button>
                  </form>`
              : ''
          }
        </header>
        <main id="main">${body}</main>
      </body>
    </html> `;
}

export function signInPage(page: PageContext, opts: { error?: string | undefined; passwordEnabled: boolean }): Html {
  return layout(
    page,
    'Sign in',
    html`<section class="card narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <p>
        Sign in with a Ledgerline API token (<code>LEDGERLINE_API_TOKEN</code>, or one from <code>npm run tokens -- create</code>)${
          opts.passwordEnabled ? ' or the console password' : ''
        }.
      </p>
      ${opts.error ? html`<p class="alert error" role="alert">${opts.error}</p>` : ''}
      <form method="post" action="/console/sign-in" class="stack">
        ${csrfField(page)}
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" spellcheck="false" />
        ${
          opts.passwordEnabled
            ? html`<label for="password">or the console password</label>
                <input id="password" name="password" type="password" autocomplete="current-password" />`
            : ''
        }
        <button type="submit">Sign in</button>
      </form>
    </section>`,
  );
}

const HEALTH_CLASS: Record<Health, string> = {
  active: 'ok',
  paused: 'paused',
  disconnected: 'bad',
  removed: 'paused',
  'needs attention': 'warn',
};

const badge = (health: Health) => html`<span class="badge ${HEALTH_CLASS[health]}">${health}</span>`;

function runCounts(run: { fetched: number; synced: number; parked: number; skipped: number; failed: number }): Html {
  return html`<span class="counts"
    >${run.fetched} read · ${run.synced} booked · ${run.parked} parked · ${run.skipped} skipped · ${run.failed} failed</span
  >`;
}

export function storesPage(page: PageContext, views: StoreView[]): Html {
  const rows = views.map((v) => {
    const health = healthOf(v);
    const run = v.lastRun;
    return html`<tr>
      <th scope="row">
        <a href="/console/stores/${encodeURIComponent(v.id)}">${v.shopName ?? v.shopDomain}</a>
        <div class="sub">${v.shopDomain} → ${v.qbo.companyName ?? `QBO ${v.qbo.realmId}`}</div>
      </th>
      <td data-label="Health">${badge(health)}</td>
      <td data-label="Last run">
        ${run ? html`${when(run.finishedAt ?? run.startedAt)} <span class="status-${run.status}">${run.status}</span><br />${runCounts(run)}` : 'none yet'}
      </td>
      <td data-label="Next run">${v.running ? 'running now' : when(v.nextRunAt)}</td>
      <td data-label="Parked" class="num">${v.counts.parked}</td>
      <td data-label="Failed" class="num">${v.counts.failed}</td>
    </tr>`;
  });
  return layout(
    page,
    'Stores',
    html`<h1>Stores</h1>
      ${page.principal?.scope === 'operate' && !page.principal.storeId ? html`<p><a class="button" href="/console/connect">Add a store</a></p>` : ''}
      ${
        views.length === 0
          ? html`<p class="card">
              No store is connected yet. Add one with the set-up wizard, or with <code>POST /stores</code> (see the API docs at
              <a href="/docs">/docs</a>).
            </p>`
          : html`<div class="table-wrap">
              <table class="stores">
                <caption class="visually-hidden">
                  Connected stores with their health, last and next run and documents that need attention
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Store</th>
                    <th scope="col">Health</th>
                    <th scope="col">Last run</th>
                    <th scope="col">Next run</th>
                    <th scope="col">Parked</th>
                    <th scope="col">Failed</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows}
                </tbody>
              </table>
            </div>`
      }`,
  );
}

export interface StorePageData {
  view: StoreView;
  runs: SyncRunRow[];
  attention: DocumentView[];
  attentionMore: boolean;
  ignored: DocumentView[];
  /** Documents an undo deleted (services/stores/undo.ts); Redo books one again. */
  undone: DocumentView[];
  temporalUi: { baseUrl: string; namespace: string };
  /** A message after an action (fixed texts of console/plugin.ts), or an error answer of the services. */
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
  canOperate: boolean;
  /** The last 30 days' figures and charts (console/stats-pages.ts); absent: no such card. */
  stats?: StoreStats | undefined;
  /** Resync and settings forms, and the payouts card (console/store-extras.ts); absent: no such cards. */
  extras?: StoreExtras | undefined;
}

const PHASE_WORDS: Record<ProgressView['phase'], string> = {
  planning: 'planning the window',
  reading: 'reading and booking orders',
  retrying_parked: 'retrying parked orders',
  finishing: 'finishing',
};

function minutes(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  const m = Math.round(seconds / 60);
  return m < 90 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * The running sync's figures (GET /stores/:id progress). Empty when no sync runs; `finished` is what the store page's
 * poll (static/progress.js, fetching /console/stores/:id/progress) shows once the run it watched has ended.
 */
export function progressCard(v: StoreView, opts: { finished?: boolean } = {}): Html {
  const p = v.progress;
  if (!v.running) {
    return opts.finished
      ? html`<p class="sub" data-done="1">The sync has finished. <a href="">Reload the page</a> to see it among the runs.</p>`
      : html``;
  }
  if (!p) return html`<p class="sub">A sync is running; its figures are not available yet.</p>`;
  const of = p.total !== null ? html` of ${p.total}` : '';
  return html`<section class="card" aria-labelledby="progress-title">
    <h2 id="progress-title">Running now</h2>
    <p>
      ${p.fetched}${of} orders read · ${p.synced} booked · ${p.parked} parked · ${p.failed} failed · ${p.skipped} skipped
      (${PHASE_WORDS[p.phase]}, ${p.mode === 'bulk' ? 'Shopify bulk read' : 'page by page'})
    </p>
    ${
      p.total !== null && p.total > 0
        ? html`<progress max="${String(p.total)}" value="${String(Math.min(p.fetched, p.total))}">
            ${String(Math.round((100 * Math.min(p.fetched, p.total)) / p.total))} %
          </progress>`
        : ''
    }
    <p class="sub">
      Started ${when(p.startedAt)}, ${minutes(p.elapsedSeconds)}
      ago${p.ratePerMinute !== null ? html` · ${String(p.ratePerMinute)} orders a minute` : ''}${p.secondsLeft !== null ? html` · about ${minutes(p.secondsLeft)} left` : ''}.
      Window ${p.windowFrom ? when(p.windowFrom) : 'from the first order'} → ${when(p.windowTo)}. Updated every 5 s.
    </p>
  </section>`;
}

function workflowLink(data: StorePageData, workflowId: string, text: string): Html {
  return html`<a href="${temporalWorkflowUrl(data.temporalUi, workflowId)}" rel="noopener">${text}</a>`;
}

function actionForm(page: PageContext, storeId: string, action: string, label: string, doc: DocumentView, style = ''): Html {
  return html`<form method="post" action="/console/stores/${encodeURIComponent(storeId)}/documents/${action}">
    ${csrfField(page)}<input type="hidden" name="sourceKey" value="${doc.sourceKey}" /><button
      type="submit"
      class="${style}"
      aria-label="${label} ${doc.sourceName ?? doc.sourceKey}"
    >
      ${label}
    </button>
  </form>`;
}

/** How often the document was sent to QBO, when it was. */
const sent = (attempts: number): Html => (attempts > 0 ? html` · sent to QuickBooks ${attempts} time${attempts === 1 ? '' : 's'}` : html``);

function documentCard(page: PageContext, data: StorePageData, doc: DocumentView): Html {
  const words = reasonWords(doc.reasonCode);
  const id = data.view.id;
  return html`<li class="doc">
    <div class="doc-head">
      <strong>${doc.sourceName ?? doc.sourceKey}</strong>
      <span class="sub"
        >${doc.role === 'refund' ? 'refund' : 'order'} ·
        <span class="status-${doc.status}">${doc.status}</span
        >${doc.sourceTotal ? html` · ${doc.sourceTotal} ${doc.currency ?? ''}` : ''}${sent(doc.attempts)}</span
      >
    </div>
    <p class="what">${words.what}</p>
    ${doc.reason ? html`<p class="detail"><span class="label">Detail:</span> ${doc.reason}</p>` : ''}
    <p class="fix"><span class="label">Fix:</span> ${words.fix}</p>
    ${
      data.canOperate
        ? doc.status === 'ignored'
          ? html`<div class="actions">${actionForm(page, id, 'unignore', 'Un-ignore', doc)}</div>`
          : doc.status === 'undone'
            ? doc.role === 'payment'
              ? ''
              : html`<div class="actions">${actionForm(page, id, 'unignore', 'Redo', doc)}</div>`
            : html`<div class="actions">
                ${actionForm(page, id, 'retry', 'Retry', doc)}${actionForm(page, id, 'ignore', 'Ignore', doc, 'secondary')}
              </div>`
        : ''
    }
  </li>`;
}

/** The store page's form: a window in UTC, previewed first (nothing is changed by it). */
export function undoForm(page: PageContext, storeId: string): Html {
  const id = encodeURIComponent(storeId);
  return html`<section class="card" aria-labelledby="undo-title">
    <h2 id="undo-title">Undo a window</h2>
    <p class="sub">
      Lists what Ledgerline created in QuickBooks for the orders and refunds of a window (times in UTC); nothing changes until you confirm
      on the next page.
    </p>
    <form method="post" action="/console/stores/${id}/undo/preview" class="undo">
      ${csrfField(page)}
      <label>From <input type="datetime-local" name="from" required /></label>
      <label>To <input type="datetime-local" name="to" required /></label>
      <button type="submit" class="secondary">Preview</button>
    </form>
  </section>`;
}

export function storePage(page: PageContext, data: StorePageData): Html {
  const v = data.view;
  const health = healthOf(v);
  const id = encodeURIComponent(v.id);
  const run = v.lastRun;
  const removed = html`<p class="sub">
    This store was removed: its workflows are stopped and its credentials deleted; what Ledgerline booked is kept here. Connecting the shop
    again to the same QuickBooks company resumes it without booking anything twice.
  </p>`;
  const removal = html`<details class="danger-zone">
    <summary>Remove this store</summary>
    <form method="post" action="/console/stores/${id}/remove" class="stack">
      ${csrfField(page)}
      <p class="sub">
        Revokes the QuickBooks tokens, deletes the stored credentials and stops every sync, payout and inventory run of the store. What
        Ledgerline booked stays in QuickBooks and in its ledger here.
      </p>
      <label for="remove-confirm">Type the shop's domain, <code>${v.shopDomain}</code>, to confirm</label>
      <input id="remove-confirm" name="confirm" autocomplete="off" spellcheck="false" />
      <button type="submit" class="danger">Remove store</button>
    </form>
  </details>`;
  const controls = !data.canOperate
    ? html`<p class="sub">This token is read only: it can see this store but not change it.</p>`
    : v.state === 'removed'
      ? removed
      : html`<div class="actions controls">
            <form method="post" action="/console/stores/${id}/sync">
              ${csrfField(page)}<button type="submit" ${v.state !== 'active' ? 'disabled' : ''}>Sync now</button>
            </form>
            ${
              v.state === 'paused'
                ? html`<form method="post" action="/console/stores/${id}/resume">
                    ${csrfField(page)}<button type="submit" class="secondary">Resume</button>
                  </form>`
                : v.state === 'active'
                  ? html`<form method="post" action="/console/stores/${id}/pause">
                      ${csrfField(page)}<button type="submit" class="secondary">Pause</button>
                    </form>`
                  : html`<p class="sub">
                        A disconnected store needs new credentials before it syncs again: reconnect QuickBooks with the same company (or
                        send new ones with <code>PUT /stores/${v.id}/credentials</code>).
                      </p>
                      <form method="post" action="/console/stores/${id}/qbo/reconnect">
                        ${csrfField(page)}<button type="submit">Reconnect QuickBooks</button>
                      </form>`
            }
            ${
              v.state !== 'disconnected'
                ? html`<form method="post" action="/console/stores/${id}/qbo/disconnect">
                    ${csrfField(page)}<button type="submit" class="secondary">Disconnect QuickBooks</button>
                  </form>`
                : ''
            }
          </div>
          ${page.principal?.storeId ? '' : removal}`;

  const runs = data.runs.map(
    (r) =>
      html`<tr>
        <td data-label="Started">${when(r.startedAt.toISOString())}</td>
        <td data-label="Trigger">${r.trigger}</td>
        <td data-label="Status"><span class="status-${r.status}">${r.status}</span></td>
        <td data-label="Window">${windowStart(r.windowFrom)} → ${when(r.windowTo?.toISOString() ?? null)}</td>
        <td data-label="Counts">${runCounts(r)}</td>
        <td data-label="Error">${r.error ?? ''}</td>
        <td data-label="Workflow">${workflowLink(data, r.id, 'Temporal UI')}</td>
      </tr>`,
  );

  return layout(
    page,
    v.shopName ?? v.shopDomain,
    html`<p class="crumbs"><a href="/console/stores">Stores</a> /</p>
      <h1>${v.shopName ?? v.shopDomain} ${badge(health)}</h1>
      ${data.notice ? html`<p class="alert ${data.notice.kind}" role="${data.notice.kind === 'error' ? 'alert' : 'status'}">${data.notice.text}</p>` : ''}
      <div
        id="progress"
        aria-live="polite"
        data-url="/console/stores/${encodeURIComponent(v.id)}/progress"
        data-running="${v.running ? '1' : ''}"
      >
        ${progressCard(v)}
      </div>
      <script src="/console/assets/progress.js" defer></script>
      <section class="card" aria-labelledby="status-title">
        <h2 id="status-title">Status</h2>
        <dl class="facts">
          <div>
            <dt>Shop</dt>
            <dd>${v.shopDomain}</dd>
          </div>
          <div>
            <dt>QuickBooks company</dt>
            <dd>${v.qbo.companyName ?? '—'} (realm ${v.qbo.realmId})</dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>${v.state}</dd>
          </div>
          <div>
            <dt>Last run</dt>
            <dd>
              ${run ? html`${when(run.finishedAt ?? run.startedAt)} · <span class="status-${run.status}">${run.status}</span> · ${runCounts(run)}` : 'none yet'}
            </dd>
          </div>
          <div>
            <dt>Next run</dt>
            <dd>${v.running ? 'running now' : when(v.nextRunAt)}${v.intervalMinutes ? html` (every ${v.intervalMinutes} min)` : ''}</dd>
          </div>
          <div>
            <dt>Synced to</dt>
            <dd>${when(v.cursor.updatedAt, 'not yet')}</dd>
          </div>
          <div>
            <dt>Documents</dt>
            <dd>
              ${v.counts.synced} booked · ${v.counts.parked} parked · ${v.counts.failed} failed · ${v.counts.skipped} skipped ·
              ${v.counts.ignored} ignored
            </dd>
          </div>
          <div>
            <dt>Workflow</dt>
            <dd>
              ${workflowLink(data, v.workflow.id, v.workflow.id)}${v.workflow.ok ? '' : html` <span class="status-failed">(${v.workflow.error ?? 'not answering'})</span>`}
            </dd>
          </div>
          ${
            v.lastError
              ? html`<div>
                  <dt>Last error</dt>
                  <dd class="status-failed">${v.lastError}</dd>
                </div>`
              : ''
          }
          ${
            v.connection.error
              ? html`<div>
                  <dt>Connection</dt>
                  <dd class="status-failed">${v.connection.error}</dd>
                </div>`
              : ''
          }
        </dl>
        ${controls}
      </section>
      <section class="card" aria-labelledby="attention-title">
        <h2 id="attention-title">Needs attention <span class="count">${attentionCount(v)}</span></h2>
        ${
          data.attention.length === 0
            ? html`<p>Nothing: every order and refund read so far is booked or deliberately skipped.</p>`
            : html`<ul class="docs">
                  ${data.attention.map((d) => documentCard(page, data, d))}
                </ul>
                ${
                  data.attentionMore
                    ? html`<p class="sub">More are listed by <code>GET /stores/${v.id}/documents?status=parked,failed</code>.</p>`
                    : ''
                }`
        }
      </section>
      ${
        v.counts.held > 0
          ? html`<section class="card" aria-labelledby="review-title">
              <h2 id="review-title">Review <span class="count">${v.counts.held}</span></h2>
              <p>Held for review, not in QuickBooks yet: <a href="/console/stores/${id}/review">review and approve them</a>.</p>
            </section>`
          : ''
      }
      ${data.canOperate ? undoForm(page, v.id) : ''}
      ${
        data.ignored.length > 0
          ? html`<section class="card" aria-labelledby="ignored-title">
              <h2 id="ignored-title">Ignored</h2>
              <p class="sub">No run books or retries these; Un-ignore puts one back for the next run.</p>
              <ul class="docs">
                ${data.ignored.map((d) => documentCard(page, data, d))}
              </ul>
            </section>`
          : ''
      }
      ${
        data.undone.length > 0
          ? html`<section class="card" aria-labelledby="undone-title">
              <h2 id="undone-title">Undone</h2>
              <p class="sub">An undo deleted these from QuickBooks; no run books them again. Redo books one (and its refunds) again.</p>
              <ul class="docs">
                ${data.undone.map((d) => documentCard(page, data, d))}
              </ul>
            </section>`
          : ''
      }
      ${data.extras ? payoutsCard(when, data.extras) : ''} ${data.stats ? statsSection(v.id, data.stats) : ''}
      ${data.extras && data.canOperate && v.state !== 'removed' ? storeForms(csrfField(page), when, v, data.extras) : ''}
      <section class="card" aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        ${
          data.runs.length === 0
            ? html`<p>No run yet.</p>`
            : html`<div class="table-wrap">
                <table class="runs">
                  <caption class="visually-hidden">
                    The store's sync runs, newest first
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Started</th>
                      <th scope="col">Trigger</th>
                      <th scope="col">Status</th>
                      <th scope="col">Window</th>
                      <th scope="col">Counts</th>
                      <th scope="col">Error</th>
                      <th scope="col">Workflow</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${runs}
                  </tbody>
                </table>
              </div>`
        }
      </section>`,
  );
}

export function errorPage(page: PageContext, status: number, message: string): Html {
  const title = status === 403 ? 'Refused' : status === 404 ? 'Not found' : status === 429 ? 'Too many requests' : 'Something went wrong';
  return layout(
    page,
    title,
    html`<section class="card narrow">
      <h1>${title}</h1>
      <p role="alert">${message}</p>
      <p><a href="/console/stores">Back to the stores</a></p>
    </section>`,
  );
}
