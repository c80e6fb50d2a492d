// Text messages (短信) to citizens and units' liaisons: the outbox, its delivery and the hooks.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export { awaitingSmsRating, enqueueSms, notifyLiaisons, type SmsDeliveryResult } from './outbox.js';
export { SMS_KINDS, type SmsKind } from './templates.js';
