// Time limits on the official working-day calendar, escalation and supervision.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './calendar.js';
export * from './deadlines.js';
export * from './settings.js';
