/**
 * Webhook nudges, debounced per shop (issue #18: a burst of order webhooks must not grow a store workflow's
 * history by one signal per webhook). The first nudge of a burst is signalled at once, so a lone webhook is
 * booked as fast as before. Nudges for the same shop within the window after it are collapsed into one trailing
 * nudge, signalled when the window ends (and opening the next window), so a burst costs at most one signal per
 * window. The trailing one matters: a webhook that arrives after the run the first nudge started has read its page
 * must still cause a run.
 *
 * Per process: two API processes may each send their own leading nudge; the workflow coalesces them into one
 * queued run (workflows/store.ts enqueue). A trailing nudge that cannot be sent (Temporal unreachable, the process
 * stopping) is logged: the store's scheduled run books the order within its interval, as for any missed webhook.
 */
export type NudgeOutcome = 'sent' | 'coalesced' | 'not_running';

export interface NudgeDebouncer {
  /**
   * Signals now ('sent' or 'not_running', errors thrown as `send` throws them), or folds into the window's trailing
   * nudge. `receivedAt` (default now): when the webhook reached the API; a nudge carries its newest webhook's.
   */
  nudge(shopDomain: string, reason: string, receivedAt?: Date): Promise<NudgeOutcome>;
  /** Sends the trailing nudges still waiting (bounded by `send`'s own deadline) and stops the timers. */
  close(): Promise<void>;
}

interface Window {
  timer: ReturnType<typeof setTimeout>;
  /** The reason of the last nudge folded into this window; null when none was. */
  trailing: string | null;
  /** When the newest webhook folded into this window arrived. */
  trailingAt: Date | null;
}

export function createNudgeDebouncer(opts: {
  windowMs: number;
  /** Signals the store's workflow; false when it is not running. */
  send: (shopDomain: string, reason: string, receivedAt: Date) => Promise<boolean>;
  onTrailingError: (err: unknown, shopDomain: string) => void;
}): NudgeDebouncer {
  const windows = new Map<string, Window>();
  let closed = false;

  const open = (shopDomain: string): Window => {
    const w: Window = { trailing: null, trailingAt: null, timer: setTimeout(() => void flush(shopDomain), opts.windowMs) };
    w.timer.unref?.();
    windows.set(shopDomain, w);
    return w;
  };

  async function flush(shopDomain: string): Promise<void> {
    const w = windows.get(shopDomain);
    windows.delete(shopDomain);
    if (!w || w.trailing === null) return;
    const reason = w.trailing;
    const receivedAt = w.trailingAt ?? new Date();
    // The trailing nudge opens the next window: a burst that goes on is still one signal per window.
    if (!closed) open(shopDomain);
    try {
      await opts.send(shopDomain, reason, receivedAt);
    } catch (err) {
      opts.onTrailingError(err, shopDomain);
    }
  }

  return {
    async nudge(shopDomain, reason, receivedAt = new Date()) {
      if (opts.windowMs <= 0 || closed) return (await opts.send(shopDomain, reason, receivedAt)) ? 'sent' : 'not_running';
      const w = windows.get(shopDomain);
      if (w) {
        w.trailing = reason;
        if (!w.trailingAt || receivedAt > w.trailingAt) w.trailingAt = receivedAt;
        return 'coalesced';
      }
      const opened = open(shopDomain);
      try {
        if (await opts.send(shopDomain, reason, receivedAt)) return 'sent';
      } catch (err) {
        // Not sent: the webhook is answered with an error and Shopify retries it. Webhooks already folded into this
        // window were answered "coalesced": the window stays so its trailing nudge still goes out; with none folded
        // it closes, and the next webhook is sent at once.
        if (opened.trailing === null) {
          clearTimeout(opened.timer);
          if (windows.get(shopDomain) === opened) windows.delete(shopDomain);
        }
        throw err;
      }
      clearTimeout(opened.timer);
      if (windows.get(shopDomain) === opened) windows.delete(shopDomain);
      return 'not_running';
    },
    async close() {
      closed = true;
      const shops = [...windows.keys()];
      for (const w of windows.values()) clearTimeout(w.timer);
      await Promise.all(shops.map((s) => flush(s)));
    },
  };
}
