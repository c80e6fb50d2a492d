// Appeals (申诉): what other modules, the CLI and the demo may use; the rest is internal.
export * from './service.js';
