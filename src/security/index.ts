// Security: login throttling, passwords, TOTP, audit log, HTTP hardening.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './audit.js';
export * from './http.js';
export * from './login.js';
export * from './password.js';
export * from './reason.js';
