// Compile-time checks of the message keys (`tsc -p web` runs them; nothing here runs in the app).
// Each @ts-expect-error fails the build if the line it marks ever type-checks.
import type { T } from './i18n';

export function keysAreChecked(t: T, status: 'new' | 'closed', fromServer: string): string[] {
  return [
    t('order.title'),
    t(`status.${status}`),
    t('status', fromServer),
    // @ts-expect-error a key that is not in the catalogue
    t('order.no-such-key'),
    // @ts-expect-error a value from the server needs its prefix: t('status', value)
    t(`status.${fromServer}`),
    // @ts-expect-error a prefix that is not in the catalogue
    t('no-such-prefix', fromServer),
  ];
}
