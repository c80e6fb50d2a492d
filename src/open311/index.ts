// Open311 GeoReport v2: services and requests for outside systems.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './georeport.js';
export * from './services.js';
export * from './system.js';
