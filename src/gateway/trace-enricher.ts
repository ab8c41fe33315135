import { ATTR_COST_ROLLUP_USD } from '../attributes.js';
import { CostRollup, roundUsd } from '../core/cost-rollup.js';
import { DiagOnce } from '../diag.js';
import type { LlmCallRecorder } from '../core/llm-call.js';
import { computeSpanEnrichment, type EnrichmentSettings } from '../core/span-enrichment.js';
import type { OtlpSpan, OtlpTraceRequest } from './otlp-trace-schema.js';
import { idKey, otlpMayBeGenAi, otlpSpanView, setOtlpAttributes, stringAttribute } from './otlp-span-view.js';

/** OTLP span flags: bit 8 says whether bit 9 (parent is remote) is known. */
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

/** What one request's enrichment did. */
export interface EnrichmentCounts {
  spans: number;
  /** Inference spans found (priced or not). */
  llmSpans: number;
  priced: number;
}

export interface TraceEnricherOptions {
  settings: EnrichmentSettings;
  /** Spans waiting for descendants' cost across requests; `undefined` turns the roll-up off. */
  rollup: CostRollup | undefined;
  /** The metrics recorder of an originating service (`service.name` of the span's resource). */
  recorderFor?: (serviceName: string) => LlmCallRecorder | undefined;
}

/**
 * Adds to OTLP spans exactly what `CostSpanProcessor` adds to SDK spans, with the same core
 * (`computeSpanEnrichment`, `CostRollup`). The roll-up differs only in what it can see: an
 * ancestor gets the cost of descendants that arrived in the same request or an earlier one on
 * this replica; a parent forwarded before its child arrived cannot be changed any more.
 */
export class TraceEnricher {
  private readonly _settings: EnrichmentSettings;
  private readonly _rollup: CostRollup | undefined;
  private readonly _recorderFor: TraceEnricherOptions['recorderFor'];
  private readonly _diag = new DiagOnce('llm-cost serve');

  constructor(options: TraceEnricherOptions) {
    this._settings = options.settings;
    this._rollup = options.rollup;
    this._recorderFor = options.recorderFor;
  }

  /** Enriches `request` in place. Never throws: a span that cannot be priced is forwarded as it came. */
  enrich(request: OtlpTraceRequest): EnrichmentCounts {
    const counts: EnrichmentCounts = { spans: 0, llmSpans: 0, priced: 0 };
    const rollup = this._rollup;
    // Costs found in this request, by span index in `spans` (only filled when a roll-up can happen).
    let costs: Array<number | undefined> | undefined;
    const spans: OtlpSpan[] = [];

    const groups = request.resourceSpans ?? [];
    for (const group of groups) {
      let serviceName: string | undefined;
      for (const scopeSpans of group.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          counts.spans++;
          if (rollup !== undefined) spans.push(span);
          if (!otlpMayBeGenAi(span)) continue;
          let enrichment;
          try {
            enrichment = computeSpanEnrichment(otlpSpanView(span, scopeSpans.scope), this._settings);
          } catch (err) {
            this._diag.error('pricing a span', err);
            continue;
          }
          if (enrichment === undefined) continue;
          counts.llmSpans++;
          setOtlpAttributes(span, enrichment.attributes);
          if (enrichment.costUsd !== undefined) {
            counts.priced++;
            if (rollup !== undefined) (costs ??= [])[spans.length - 1] = enrichment.costUsd;
          }
          if (this._recorderFor !== undefined) {
            serviceName ??= stringAttribute(group.resource?.attributes, 'service.name') ?? 'unknown_service';
            try {
              this._recorderFor(serviceName)?.record(enrichment.call);
            } catch (err) {
              this._diag.error('recording metrics', err);
            }
          }
        }
      }
    }
    if (rollup !== undefined && (costs !== undefined || !rollup.isEmpty)) {
      try {
        this._rollUp(spans, costs ?? [], rollup);
      } catch (err) {
        this._diag.error('rolling up costs', err);
      }
    }
    return counts;
  }

  /**
   * Every span's cost (its own, plus what earlier requests left waiting for it) goes to each
   * ancestor in this request, and to a pending slot of the first ancestor that is not.
   */
  private _rollUp(spans: OtlpSpan[], costs: Array<number | undefined>, rollup: CostRollup): void {
    const ids = spans.map((span) => idKey(span.spanId));
    const indexById = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) if (ids[i] !== undefined) indexById.set(ids[i]!, i);
    const sums: Array<number | undefined> = new Array(spans.length);

    const passUp = (from: number, usd: number): void => {
      let child = from;
      for (let depth = 0; depth <= spans.length; depth++) {
        const parent = idKey(spans[child]!.parentSpanId);
        if (parent === undefined || parentIsRemote(spans[child]!)) return;
        const p = indexById.get(parent);
        if (p === undefined) {
          rollup.add(parent, usd);
          return;
        }
        sums[p] = (sums[p] ?? 0) + usd;
        child = p;
      }
    };

    for (let i = 0; i < spans.length; i++) {
      const waiting = ids[i] === undefined || rollup.isEmpty ? undefined : rollup.take(ids[i]!);
      if (waiting !== undefined) sums[i] = (sums[i] ?? 0) + waiting;
      const own = costs[i];
      if (own !== undefined || waiting !== undefined) passUp(i, (own ?? 0) + (waiting ?? 0));
    }
    for (let i = 0; i < spans.length; i++) {
      const sum = sums[i];
      if (sum === undefined) continue;
      const span = spans[i]!;
      // Already rolled up by a processor in the app: keep its figure.
      if (span.attributes?.some((kv) => kv.key === ATTR_COST_ROLLUP_USD)) continue;
      setOtlpAttributes(span, { [ATTR_COST_ROLLUP_USD]: roundUsd(sum) });
    }
  }
}

function parentIsRemote(span: OtlpSpan): boolean {
  const flags = span.flags ?? 0;
  return (flags & FLAG_HAS_IS_REMOTE) !== 0 && (flags & FLAG_IS_REMOTE) !== 0;
}
