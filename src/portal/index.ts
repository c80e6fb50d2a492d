// The citizen portal and open data.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export { queryCodeForReceipt, forgetQueryCode } from './codes.js';
