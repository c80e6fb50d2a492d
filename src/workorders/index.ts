// Work orders: the lifecycle, its actions and who may see what.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './attachments.js';
export * from './lifecycle.js';
export * from './model.js';
export * from './schemas.js';
export * from './service.js';
export * from './visibility.js';
export * from './vocabulary.js';
export * from './export.js';
export * from './listing.js';
export * from './settings.js';
