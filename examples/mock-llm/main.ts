/**
 * Runs the mock LLM server standalone until interrupted:
 *   npx tsx examples/mock-llm/main.ts [port]
 * then point an SDK at the printed base URLs.
 */
import { DATED_MODELS, startMockLLM } from './server.js';

const port = Number(process.argv[2] ?? 0);
const llm = await startMockLLM({ port, responseModels: DATED_MODELS });
console.log(`mock LLM listening on ${llm.url}`);
console.log(`  OpenAI base URL:    ${llm.openaiBaseURL}`);
console.log(`  Anthropic base URL: ${llm.anthropicBaseURL}  (@ai-sdk/anthropic: ${llm.anthropicV1BaseURL})`);
const stop = (): void => void llm.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
