import { forEachSpan } from './otlp-json.js';
import type { SpanPricer, ReportCall } from './price-span.js';
import { BatchAncestors } from './batch-ancestors.js';
import type { ReportAggregator } from './report-aggregator.js';

/** Without grouping by ancestors' attributes, only GenAI spans and keys are converted. */
const GEN_AI_ONLY = { genAiSpansOnly: true, genAiKeysOnly: true };

/**
 * Feeds batches of OTLP/JSON trace data (one file line, one Jaeger answer) through the pricer
 * into the aggregator. Only the current batch is held: memory is bounded by the largest line.
 */
export class ReportRun {
  constructor(
    private readonly _pricer: SpanPricer,
    private readonly _aggregator: ReportAggregator,
  ) {}

  /** Counts the spans of one batch; returns how many spans it held, or -1 when it is not trace
   * data (no `resourceSpans`). */
  addBatch(data: unknown): number {
    const aggregator = this._aggregator;
    if (!aggregator.needsAncestors) {
      return forEachSpan(
        data,
        (span) => {
          if (!aggregator.inWindow(span.startMs)) return;
          const call = this._pricer.price(span);
          if (call !== undefined) aggregator.add(call);
        },
        GEN_AI_ONLY,
      );
    }
    // Grouping by an attribute an ancestor may carry (the agent span's gen_ai.agent.name): see
    // the whole batch before counting its calls.
    const ancestors = new BatchAncestors();
    const calls: ReportCall[] = [];
    const count = forEachSpan(data, (span) => {
      ancestors.remember(span.spanId, span.parentSpanId, span.attributes);
      if (!aggregator.inWindow(span.startMs)) return;
      const call = this._pricer.price(span);
      if (call !== undefined) calls.push(call);
    });
    for (const call of calls) aggregator.add(call, ancestors.lookup);
    return count;
  }
}

/**
 * `--from` / `--to`: an ISO 8601 date or date-time (a date alone is midnight UTC), or a duration
 * back from `now`: `30m`, `24h`, `7d`, `2w`. Returns ms since the epoch, or an error message.
 */
export function parseTime(text: string, now: number): number | string {
  const relative = /^(\d+)(m|h|d|w)$/.exec(text.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2] as 'm' | 'h' | 'd' | 'w'];
    return now - Number(relative[1]) * unit;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  return (
    'expected an ISO date (2026-11-01, 2026-11-01T12:00:00Z) or a duration back from now (30m, 24h, 7d, 2w), ' +
    `got ${JSON.stringify(text)}`
  );
}
