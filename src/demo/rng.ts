// The shared generator lives in src/core/random.ts; this name stays for the modules that
// still import it from here (kb, kpi and duplicates benchmarks and tests).
export { Rng, randomSource } from '../core/random.js';
