// Dispatch: the responsibility list and the trained text model that suggest a unit.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './service.js';
