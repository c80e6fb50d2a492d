// Measures: call-center and unit figures, rankings and the monthly report.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './facts.js';
export * from './service.js';
// The city's month figures, one definition each (docs/MEASURES.md), for open data and the rest.
export * from './month.js';
export { loadKpiSettings, type KpiSettings } from './measures.js';
export { type ReportLanguage } from './labels.js';
