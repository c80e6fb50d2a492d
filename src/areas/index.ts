// Areas (where): boundaries, the gazetteer and resolution. What other modules, the CLI, the demo
// and benchmarks may use; the rest is internal.
export * from './gazetteer.js';
export * from './geo.js';
export * from './resolver.js';
export * from './service.js';
