// The call center: CDR import, agent states, wallboard, scorecards and staffing.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './cdr.js';
export * from './scorecard.js';
// The call measures (answer rate, service level, effective calls) the city's month figures read.
export { callStats, type StatsRow } from './service.js';
