// Moved to src/core/context.ts; this re-export goes once no file imports it.
export * from '../core/context.js';
