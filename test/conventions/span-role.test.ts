import { describe, expect, it } from 'vitest';
import { mayBeGenAi, spanRole } from '../../src/conventions/span-role.js';

describe('spanRole', () => {
  it.each([
    ['invoke_agent', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 5 }],
    ['execute_tool', { 'gen_ai.operation.name': 'execute_tool' }],
    ['OpenInference CHAIN', { 'openinference.span.kind': 'CHAIN', 'llm.token_count.prompt': 5 }],
    ['OpenInference AGENT', { 'openinference.span.kind': 'AGENT' }],
    ['Traceloop workflow', { 'traceloop.span.kind': 'workflow', 'gen_ai.usage.input_tokens': 5 }],
    ['Vercel ai.generateText', { 'ai.operationId': 'ai.generateText', 'ai.usage.inputTokens': 5 }],
    ['Vercel ai.streamText', { 'ai.operationId': 'ai.streamText', 'gen_ai.usage.input_tokens': 5 }],
  ])('%s is an aggregate span, never priced', (_label, attrs) => {
    expect(spanRole('x', attrs, true)).toBe('aggregate');
  });

  it.each([
    ['Vercel doGenerate', 'ai.generateText.doGenerate', { 'ai.operationId': 'ai.generateText.doGenerate' }],
    ['Vercel doStream', 'ai.streamText.doStream', { 'ai.operationId': 'ai.streamText.doStream' }],
    ['Vercel doStream by name', 'ai.streamText.doStream fn', { 'ai.usage.inputTokens': 3 }],
    ['OpenInference LLM', 'ChatCompletion', { 'openinference.span.kind': 'LLM' }],
    ['semconv chat', 'chat gpt-4o', { 'gen_ai.operation.name': 'chat' }],
  ])('%s is an inference span', (_label, name, attrs) => {
    expect(spanRole(name, attrs, true)).toBe('inference');
  });

  it('is other without model or usage', () => {
    expect(spanRole('chat', { 'gen_ai.system': 'openai' }, false)).toBe('other');
  });
});

describe('mayBeGenAi', () => {
  it('rejects plain spans and accepts every convention', () => {
    expect(mayBeGenAi({ 'http.request.method': 'GET' })).toBe(false);
    for (const key of [
      'gen_ai.request.model',
      'llm.model_name',
      'ai.operationId',
      'gen_ai.usage.prompt_tokens',
      'traceloop.span.kind',
    ]) {
      expect(mayBeGenAi({ [key]: 'x' })).toBe(true);
    }
  });
});
