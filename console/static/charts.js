/* global window, getComputedStyle, clearTimeout -- the browser, beside those eslint.config.mjs names for console scripts */
// The store page's "Last 30 days" charts (console/stats-pages.ts): the figures come from the console's JSON twin of
// GET /stores/:id/stats and are drawn with uPlot (served same-origin from node_modules). The table beside them holds
// the same figures, so the page means the same without this script. Redrawn to the box's width on resize (phones).
(() => {
  const root = document.getElementById('stats');
  if (!root || !root.dataset.url || typeof window.uPlot !== 'function') return;
  const uPlot = window.uPlot;
  const css = getComputedStyle(document.documentElement);
  const color = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const palette = { sales: color('--accent', '#1f5fbf'), refunds: color('--warn', '#9a5b00'), payouts: color('--ok', '#16794a') };
  const limitColor = color('--bad', '#b3261e');
  const DAY = 86400;
  const bars = uPlot.paths.bars({ size: [0.7, 40], align: 0 });

  const dayOf = (ts) => new Date(ts * 1000).toISOString().slice(0, 10);
  const xAxis = { space: 60, values: (u, ticks) => ticks.map((t) => dayOf(t).slice(5)) };

  /** Stacked bars: each series is drawn as the running sum, its legend shows its own count. */
  function documentsChart(stats, width) {
    const raw = ['payouts', 'refunds', 'sales'].map((k) => stats.series.map((d) => d.documents[k]));
    const [payouts, refunds, sales] = raw;
    const stackSales = sales;
    const stackRefunds = sales.map((v, i) => v + refunds[i]);
    const stackPayouts = stackRefunds.map((v, i) => v + payouts[i]);
    const x = stats.series.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
    const series = (label, key, rawValues) => ({
      label,
      stroke: palette[key],
      fill: palette[key],
      width: 0,
      paths: bars,
      points: { show: false },
      value: (u, v, si, i) => (i === null ? '—' : String(rawValues[i])),
    });
    return {
      opts: {
        width,
        height: 220,
        scales: {
          x: { time: false, range: (u, min, max) => [min - DAY / 2, max + DAY / 2] },
          y: { range: (u, min, max) => [0, Math.max(4, max)] },
        },
        axes: [xAxis, { size: 40, values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) }],
        series: [
          { label: 'Day', value: (u, v) => (v === null ? '—' : dayOf(v)) },
          series('Payouts', 'payouts', payouts),
          series('Refunds', 'refunds', refunds),
          series('Sales', 'sales', sales),
        ],
      },
      data: [x, stackPayouts, stackRefunds, stackSales],
    };
  }

  /** The busiest minute of each day as a share of QuickBooks' per-minute limits, with the limit at 100 %. */
  function qboChart(stats, width) {
    const x = stats.series.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
    const { requestsPerMinute, batchesPerMinute } = stats.limits;
    const calls = stats.series.map((d) => d.qbo.peakCallsPerMinute);
    const batches = stats.series.map((d) => d.qbo.peakBatchesPerMinute);
    const pct = (v, limit) => Math.round((1000 * v) / limit) / 10;
    const top = Math.max(110, ...calls.map((v) => pct(v, requestsPerMinute) * 1.1), ...batches.map((v) => pct(v, batchesPerMinute) * 1.1));
    const line = (label, stroke, values, limit, unit) => ({
      label,
      stroke,
      width: 2,
      points: { show: true, size: 5 },
      value: (u, v, si, i) => (i === null ? '—' : `${values[i]} ${unit} (${pct(values[i], limit)} %)`),
    });
    return {
      opts: {
        width,
        height: 220,
        scales: { x: { time: false, range: (u, min, max) => [min - DAY / 2, max + DAY / 2] }, y: { range: () => [0, top] } },
        axes: [xAxis, { size: 60, values: (u, ticks) => ticks.map((t) => `${t} %`) }],
        series: [
          { label: 'Day', value: (u, v) => (v === null ? '—' : dayOf(v)) },
          line('Calls in the busiest minute', palette.sales, calls, requestsPerMinute, `of ${requestsPerMinute}/min`),
          line('Batch calls in the busiest minute', palette.payouts, batches, batchesPerMinute, `of ${batchesPerMinute}/min`),
          { label: 'Limit', stroke: limitColor, width: 1, dash: [6, 4], points: { show: false }, value: () => '100 %' },
        ],
      },
      data: [x, calls.map((v) => pct(v, requestsPerMinute)), batches.map((v) => pct(v, batchesPerMinute)), x.map(() => 100)],
    };
  }

  const builders = { documents: documentsChart, qbo: qboChart };

  function draw(stats) {
    const plots = [];
    for (const box of root.querySelectorAll('[data-chart]')) {
      const build = builders[box.dataset.chart];
      if (!build) continue;
      root.classList.add('drawn');
      const { opts, data } = build(stats, Math.max(240, box.clientWidth));
      plots.push([box, new uPlot(opts, data, box)]);
    }
    let pending = 0;
    window.addEventListener('resize', () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        for (const [box, plot] of plots) plot.setSize({ width: Math.max(240, box.clientWidth), height: 220 });
      }, 150);
    });
  }

  fetch(root.dataset.url, { credentials: 'same-origin', headers: { accept: 'application/json' }, cache: 'no-store' })
    .then((res) => (res.ok ? res.json() : null))
    .then((stats) => {
      if (stats && Array.isArray(stats.series) && stats.series.length > 0) draw(stats);
    })
    .catch(() => {
      // No chart: the table below has the same figures.
    });
})();
