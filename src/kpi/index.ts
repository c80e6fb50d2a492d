// Measures: call-center and unit figures, rankings and the monthly report.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './facts.js';
export * from './service.js';
