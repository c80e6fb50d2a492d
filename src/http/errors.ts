// Moved to src/core/errors.ts; this re-export goes once no file imports it.
export * from '../core/errors.js';
