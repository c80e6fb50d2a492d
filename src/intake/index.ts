// Intake: every contact on every channel, recorded once.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './service.js';
