// The store page's "Running now" card (console/pages.ts progressCard): while a sync runs, its figures are fetched
// again every 5 s and put in place, without reloading the page (a form being filled in keeps what was typed).
// It stops once the run has ended (the fragment then says so, with data-done).
(() => {
  const box = document.getElementById('progress');
  if (!box || box.dataset.running !== '1' || !box.dataset.url) return;
  const url = box.dataset.url;
  const tick = async () => {
    try {
      const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' }, cache: 'no-store' });
      if (res.ok) {
        box.innerHTML = await res.text();
        if (box.querySelector('[data-done]')) return;
      }
    } catch {
      // A network blip: try again at the next tick.
    }
    setTimeout(tick, 5000);
  };
  setTimeout(tick, 5000);
})();
