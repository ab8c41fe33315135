import { propagation, trace, type AttributeValue, type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import type { CostSpanProcessorOptions } from './cost-span-processor-options.js';
import { DiagOnce, warn } from '../diag.js';
import { integerOption } from '../options.js';

/** Default cap on live spans remembered for dimension look-ups. */
export const DEFAULT_MAX_TRACKED_SPANS = 10_000;
/** A dimension value longer than this is cut (attributes are untrusted). */
export const MAX_DIMENSION_VALUE_LENGTH = 256;
/** Ancestors walked at most, per look-up (a cycle or a very deep tree ends here). */
const MAX_ANCESTOR_DEPTH = 64;

interface Tracked {
  /** The live span: its attributes are read when a descendant needs them, not copied at start. */
  readonly attributes: Attributes;
  readonly parentId: string | undefined;
  /** Configured keys found in the baggage of the context the span started in. */
  readonly baggage: Record<string, string> | undefined;
}

/**
 * Where an LLM span's opt-in dimensions (`enduser.id`, `app.tenant`, `app.feature` …) come from,
 * nearest first:
 * 1. the LLM span's own attribute;
 * 2. the nearest ancestor span **in this process** that carries it (an HTTP server span, an agent
 *    span), read when the LLM span ends, so a value set on the request span after it started
 *    (the usual `trace.getActiveSpan()?.setAttribute('enduser.id', id)`) is seen;
 * 3. OpenTelemetry baggage of the context the LLM span started in.
 *
 * To find ancestors it remembers every live span started while dimensions are configured: one
 * map entry keyed by span id, added in `onStart`, removed in `onEnd`, at most `maxTracked`
 * (beyond it the oldest is dropped and a warning is logged once). Nothing is kept after a span
 * ends, and a span never ended costs one slot until it is evicted.
 */
export class DimensionSources {
  private readonly _live = new Map<string, Tracked>();
  private readonly _diag = new DiagOnce();

  constructor(
    private readonly _keys: readonly string[],
    private readonly _maxTracked: number,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    const parent = trace.getSpanContext(parentContext);
    const parentId = parent !== undefined && !parent.isRemote ? parent.spanId : undefined;
    let baggage: Record<string, string> | undefined;
    const bag = propagation.getBaggage(parentContext);
    if (bag !== undefined) {
      for (const key of this._keys) {
        const entry = bag.getEntry(key);
        if (entry !== undefined && entry.value.length > 0) (baggage ??= {})[key] = entry.value;
      }
    }
    const live = this._live;
    if (live.size >= this._maxTracked) {
      const oldest = live.keys().next().value as string;
      live.delete(oldest);
      this._diag.warn(
        'eviction',
        `more than ${this._maxTracked} live spans; the oldest is forgotten, so its descendants may miss its ` +
          'dimensions (raise maxTrackedSpans, or look for spans that are never ended); reported once',
      );
    }
    live.set(span.spanContext().spanId, { attributes: span.attributes, parentId, baggage });
  }

  onEnd(span: ReadableSpan): void {
    this._live.delete(span.spanContext().spanId);
  }

  /**
   * The dimension values the span does not carry itself, from its ancestors or baggage, as
   * attributes to add to it. `undefined` when there is nothing to add.
   */
  inherited(span: Span): Attributes | undefined {
    let added: Attributes | undefined;
    const own = span.attributes;
    const self = this._live.get(span.spanContext().spanId);
    for (const key of this._keys) {
      if (own[key] !== undefined) continue; // the span's own value (even an unusable one) is never replaced
      const value = this._fromAncestors(key, self?.parentId) ?? self?.baggage?.[key];
      const clean = usable(value);
      if (clean !== undefined) (added ??= {})[key] = clean;
    }
    return added;
  }

  clear(): void {
    this._live.clear();
  }

  private _fromAncestors(key: string, parentId: string | undefined): AttributeValue | undefined {
    let id = parentId;
    for (let depth = 0; id !== undefined && depth < MAX_ANCESTOR_DEPTH; depth++) {
      const tracked = this._live.get(id);
      if (tracked === undefined) return undefined;
      const value = tracked.attributes[key];
      if (usable(value) !== undefined) return value;
      id = tracked.parentId;
    }
    return undefined;
  }
}

/** A string, number or boolean (strings non-empty, cut to a bounded length); anything else is not a dimension. */
function usable(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string') {
    if (value.length === 0) return undefined;
    return value.length > MAX_DIMENSION_VALUE_LENGTH ? value.slice(0, MAX_DIMENSION_VALUE_LENGTH) : value;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

/**
 * The dimension tracker the options ask for: keys from `dimensions`, else from the recorder;
 * `undefined` (no per-span work at all) when there are none. Bad values are warned about.
 */
export function dimensionSourcesFor(options: CostSpanProcessorOptions): DimensionSources | undefined {
  let keys: readonly unknown[] | undefined = options.dimensions;
  if (keys !== undefined && !Array.isArray(keys)) {
    warn('dimensions must be an array of attribute keys; ignored');
    keys = undefined;
  }
  keys ??= Array.isArray(options.recorder?.dimensions) ? options.recorder.dimensions : [];
  const valid = keys.filter((k): k is string => typeof k === 'string' && k.length > 0);
  const clean = [...new Set(valid)];
  if (valid.length !== keys.length) {
    warn('dimensions must be non-empty strings; others are ignored');
  }
  if (clean.length === 0) return undefined;
  return new DimensionSources(
    clean,
    integerOption(options.maxTrackedSpans, 'maxTrackedSpans', DEFAULT_MAX_TRACKED_SPANS),
  );
}
