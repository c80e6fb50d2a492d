// Units, users, roles and sign-in.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './auth.js';
export * from './units.js';
export * from './vocabulary.js';
