import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ATTR_COST_MATCH, ATTR_COST_UNPRICED_REASON } from '../../src/attributes.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { createPriceBook } from '../../src/sources/price-source.js';
import { pipeline } from '../processor/helpers.js';
import { captureDiag } from './helpers.js';

/**
 * Aliases are checked in one place, whichever way they come in (an option of the processor or of
 * `createPriceBook`, `OTEL_LLM_COST_ALIASES`, a hand-built `PriceBook`): each bad alias is named in
 * exactly one warning, and the good ones still price. `gpt-4o` is in the embedded table.
 */

const LLM = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.usage.input_tokens': 10,
  'gen_ai.usage.output_tokens': 5,
};

let captured: ReturnType<typeof captureDiag>;
beforeEach(() => {
  captured = captureDiag();
});
afterEach(() => {
  vi.unstubAllEnvs();
  diag.disable();
});

/** Lets the price source's deferred alias check (a tick after construction) run. */
async function settled(): Promise<void> {
  await new Promise((r) => setTimeout(r, 10));
}

function aliasWarnings(): string[] {
  return captured.warnings.filter((w) => /alias|OTEL_LLM_COST_ALIASES/i.test(w));
}

describe('a bad alias is named in exactly one warning', () => {
  it('given as a processor option (pricing.aliases)', async () => {
    const processor = new CostSpanProcessor({
      pricing: { aliases: { 'team-gpt': 'gpt-4o', 'no-target': '', 'numeric-target': 42 as unknown as string } },
    });
    try {
      const p = pipeline(processor);
      p.tracer.startSpan('llm', { attributes: { ...LLM, 'gen_ai.request.model': 'team-gpt' } }).end();
      await settled();
      expect(aliasWarnings()).toEqual([
        'otel-llm-cost: alias "no-target" is ignored: its target must be a non-empty model name',
        'otel-llm-cost: alias "numeric-target" is ignored: its target must be a non-empty model name',
      ]);
      expect(p.byName('llm').attributes[ATTR_COST_MATCH]).toBe('alias');
    } finally {
      await processor.shutdown();
    }
  });

  it('given in OTEL_LLM_COST_ALIASES', async () => {
    vi.stubEnv('OTEL_LLM_COST_ALIASES', 'team-gpt=gpt-4o,broken,=nothing');
    const processor = new CostSpanProcessor();
    try {
      const p = pipeline(processor);
      p.tracer.startSpan('llm', { attributes: { ...LLM, 'gen_ai.request.model': 'team-gpt' } }).end();
      p.tracer.startSpan('broken', { attributes: { ...LLM, 'gen_ai.request.model': 'broken' } }).end();
      await settled();
      expect(aliasWarnings()).toEqual([
        'otel-llm-cost: OTEL_LLM_COST_ALIASES: ignored "broken", "=nothing" (expected alias=model, comma-separated)',
      ]);
      expect(p.byName('llm').attributes[ATTR_COST_MATCH]).toBe('alias');
      expect(p.byName('broken').attributes[ATTR_COST_UNPRICED_REASON]).toBe('unknown_model');
    } finally {
      await processor.shutdown();
    }
  });

  it('given to createPriceBook, and to a hand-built PriceBook (the same rules: names trimmed)', async () => {
    const handle = createPriceBook({ aliases: { '  ': 'gpt-4o', ' team-gpt ': ' gpt-4o ' } });
    await handle.ready();
    await settled();
    const book = new PriceBook({ aliases: { '  ': 'gpt-4o', ' team-gpt ': ' gpt-4o ' } });
    expect(book.checkAliases()).toEqual([]);
    expect(aliasWarnings()).toEqual([
      'otel-llm-cost: alias "  " is ignored: its target must be a non-empty model name',
      'otel-llm-cost: alias "  " is ignored: its target must be a non-empty model name',
    ]);
    for (const priced of [handle.priceBook, book]) {
      const result = priced.price({ model: 'TEAM-GPT', inputTokens: 10, outputTokens: 5 });
      expect(result).toMatchObject({ pricingKey: 'gpt-4o', match: 'alias' });
    }
    await handle.shutdown();
  });
});
