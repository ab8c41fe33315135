/**
 * `llmCostNodeSDKOptions({ openaiUsage })`: the helper enables OpenAIUsageInstrumentation unless
 * told `false`, and corrects a bad value with a warning. (Each vitest file runs in its own
 * worker, so the instances enabled here do not reach other files.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { llmCostNodeSDKOptions } from '../../src/setup.js';
import { requireOpenAIFresh } from '../support/openai-versions.js';

const warnings: string[] = [];
const logger: DiagLogger = {
  error() {},
  warn: (m: string) => void warnings.push(m),
  info() {},
  debug() {},
  verbose() {},
};

afterEach(() => {
  diag.disable();
  warnings.length = 0;
});

async function shutdown(parts: ReturnType<typeof llmCostNodeSDKOptions>): Promise<void> {
  await Promise.all([
    ...parts.spanProcessors.map((p) => p.shutdown()),
    ...(parts.metricReaders ?? []).map((r) => r.shutdown()),
  ]);
}

describe('llmCostNodeSDKOptions openaiUsage', () => {
  // In this order: once an instance is enabled it patches every later load of openai.
  it('false: openai is loaded unpatched', async () => {
    const parts = llmCostNodeSDKOptions({ openaiUsage: false, metrics: false });
    const { OpenAI } = requireOpenAIFresh(6);
    expect(OpenAI.prototype.post.name).toBe('post');
    await shutdown(parts);
  });

  it('a bad value is corrected with a warning, and the instrumentation is enabled as by default', async () => {
    diag.setLogger(logger, DiagLogLevel.WARN);
    const parts = llmCostNodeSDKOptions({ openaiUsage: 'yes' as never, metrics: false });
    expect(warnings.some((w) => w.includes('openaiUsage must be an options object or false'))).toBe(true);
    const { OpenAI } = requireOpenAIFresh(7);
    expect(OpenAI.prototype.post.name).toBe('patchedPost');
    expect(OpenAI.Chat.Completions.prototype.create.name).toBe('patchedCreate');
    await shutdown(parts);
  });
});
