// Personal data: sealing (encrypt + blind index), masking, retention.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './phone.js';
export * from './pii.js';
export * from './store.js';
