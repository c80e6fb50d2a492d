// The knowledge base and the assistant beside the agent.
// What other modules, the CLI, the demo and benchmarks may use; the rest is internal.
export * from './articles.js';
export * from './assist.js';
