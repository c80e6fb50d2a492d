// Notifications to staff: deadlines, supervision, replies.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './service.js';
