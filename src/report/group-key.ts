import type { AttributeValue } from '@opentelemetry/api';
import { normalizeProvider } from '../pricing/providers.js';
import type { ReportCall } from './price-span.js';

/** What `--by` accepts: a fixed dimension, or `attr:NAME` for any span or resource attribute. */
export const DIMENSIONS = ['model', 'provider', 'service', 'operation', 'agent', 'day', 'hour'] as const;

/** `gen_ai.agent.name` (semconv): the agent a call was made for. */
export const ATTR_AGENT_NAME = 'gen_ai.agent.name';

/** Looks an attribute up on the span's ancestors in the same batch of input, nearest first. */
export type AncestorLookup = (call: ReportCall, name: string) => AttributeValue | undefined;

/** Is `by` a valid `--by` value? Returns an error message, or undefined when it is. */
export function checkDimension(by: string): string | undefined {
  if ((DIMENSIONS as readonly string[]).includes(by)) return undefined;
  if (by.startsWith('attr:') && by.length > 5) return undefined;
  return `--by must be one of ${DIMENSIONS.join(', ')} or attr:NAME, got ${JSON.stringify(by)}`;
}

/** Does grouping by these dimensions need attributes of a call's ancestor spans? */
export function needsAncestors(by: readonly string[]): boolean {
  return by.some((d) => d === 'agent' || d.startsWith('attr:'));
}

/**
 * The value of one dimension for one call, `null` when the call has none. Attributes
 * (`agent`, `attr:NAME`) are looked up on the span, then on its ancestors (when `ancestors` is
 * given: spans of the same input batch or Jaeger trace), then on the resource.
 */
export function dimensionValue(call: ReportCall, by: string, ancestors?: AncestorLookup): string | null {
  switch (by) {
    case 'model':
      return call.usage.model ?? null;
    case 'provider':
      return normalizeProvider(call.usage.provider) ?? null;
    case 'service':
      return asText(call.span.resource['service.name']);
    case 'operation':
      // gen_ai.operation.name, else the Vercel AI SDK's operation id (`ai.generateText.doGenerate`).
      return call.operation ?? asText(call.span.attributes['ai.operationId']);
    case 'agent':
      return attributeValue(call, ATTR_AGENT_NAME, ancestors);
    case 'day':
      return call.span.startMs > 0 ? new Date(call.span.startMs).toISOString().slice(0, 10) : null;
    case 'hour':
      return call.span.startMs > 0 ? `${new Date(call.span.startMs).toISOString().slice(0, 13)}:00Z` : null;
    default:
      return attributeValue(call, by.slice(5), ancestors);
  }
}

function attributeValue(call: ReportCall, name: string, ancestors: AncestorLookup | undefined): string | null {
  const span = call.span;
  return asText(span.attributes[name] ?? span.recorded[name] ?? ancestors?.(call, name) ?? span.resource[name]);
}

/** An attribute as a group key: strings as they are, numbers and booleans printed, arrays joined. */
function asText(v: AttributeValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => String(x)).join(',');
  return String(v);
}
