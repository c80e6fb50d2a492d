// The demo city: seeding a database with units, staff, orders and calls.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './cli.js';
export * from './seed.js';
export { seedDepartmentSteps } from './steps.js';
export { trainDemoModels, describeDemoModels, DEMO_TRAINING, type DemoModels } from './models.js';
