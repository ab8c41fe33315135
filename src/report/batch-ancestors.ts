import type { AttributeValue } from '@opentelemetry/api';
import type { AncestorLookup } from './group-key.js';

/**
 * Finds attributes on ancestors of the calls of one batch of input (one file line, one Jaeger
 * answer): a parent map of the batch's spans, walked from the call's parent upwards.
 */
export class BatchAncestors {
  private readonly _spans = new Map<
    string,
    { parent: string; attributes: Record<string, AttributeValue | undefined> }
  >();

  remember(spanId: string, parentSpanId: string, attributes: Record<string, AttributeValue | undefined>): void {
    if (spanId !== '') this._spans.set(spanId, { parent: parentSpanId, attributes });
  }

  readonly lookup: AncestorLookup = (call, name) => {
    let id = call.span.parentSpanId;
    for (let depth = 0; id !== '' && depth < 64; depth++) {
      const span = this._spans.get(id);
      if (span === undefined) return undefined;
      const value = span.attributes[name];
      if (value !== undefined) return value;
      id = span.parent;
    }
    return undefined;
  };
}
