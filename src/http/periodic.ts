// A background job of the HTTP process: run once when the app is ready, then every
// `intervalMs`; runs never overlap, errors are logged, and closing the app waits for the
// run in flight. (Jobs that must be safe across nodes lock their own rows.)
import type { App } from './app.js';

export function runPeriodically(app: App, intervalMs: number, name: string, job: () => Promise<void>) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = job()
      .catch((err: unknown) => app.log.error(err, `${name} failed`))
      .finally(() => (running = null));
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  app.addHook('onReady', () => run());
  app.addHook('onClose', async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  });
}
