// Reply templates (常用语): what other modules, the CLI and the demo may use; the rest is internal.
export * from './render.js';
export * from './service.js';
