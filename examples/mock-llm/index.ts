export { startMockLLM, DATED_MODELS } from './server.js';
export type { MockLLM, MockLLMOptions, RecordedRequest, MockApi } from './server.js';
export { DEFAULT_USAGE, usageDirective } from './usage.js';
export type { MockUsage, MockDirective } from './usage.js';
