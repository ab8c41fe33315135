import {
  context,
  createContextKey,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type {
  Instrumentation,
  InstrumentationConfig,
  InstrumentationModuleDefinition,
} from '@opentelemetry/instrumentation';
import { mayBeGenAi, spanRole } from '../../conventions/span-role.js';
import { observeBody, observeStream, type ObservedResponse } from './response-observer.js';
import { instrumentation as instrumentationModule } from '../../setup/sdk-modules.js';
import { warnUncoveredOnce } from './uncovered-instrumentations.js';

/** Instrumentation scope of the spans this instrumentation creates. */
export const OPENAI_USAGE_INSTRUMENTATION_NAME = 'otel-llm-cost/instrumentation-openai';
const VERSION = '0.1.0';

/** `openai` versions patched (tested with 6.49 and 7.59; the hooks used exist since 5.0). */
const SUPPORTED_VERSIONS = ['>=5.0.0 <8'];

export interface OpenAIUsageInstrumentationConfig extends InstrumentationConfig {
  /**
   * Create the GenAI client span (`chat {model}`, semconv attributes, usage only) for a call no
   * other instrumentation made a span for, e.g. `openai` 7 with the contrib OpenAI
   * instrumentation, which covers `openai` < 7 only. When `false`, usage is only added to spans
   * other instrumentations create.
   * Default: `true`.
   */
  createSpans?: boolean;
}

/** One `chat.completions.create` / `responses.create` call on its way to the client's `post`. */
interface PendingCall {
  requestModel: string | undefined;
  /** The span active when `create` was entered through our wrapper. */
  entrySpanId: string | undefined;
  openaiVersion: string | undefined;
  claimed: boolean;
}

const PENDING_CALL = createContextKey('otel-llm-cost openai call');

/** The parts of an `openai` `APIPromise` used here (present in openai 5, 6 and 7). */
interface APIPromiseLike {
  _thenUnwrap(transform: (value: unknown, props: unknown) => unknown): APIPromiseLike;
  asResponse(): Promise<unknown>;
}

/** An SDK span read through its public `ReadableSpan` fields (`@opentelemetry/sdk-trace-base`). */
interface ReadableSpanLike {
  name?: unknown;
  attributes?: Attributes;
}

/**
 * Reads the `usage` of OpenAI responses (never prompt or completion content) onto the span of
 * the call, so its cost can be computed exactly: cached input tokens
 * (`gen_ai.usage.cache_read.input_tokens`) and reasoning tokens
 * (`gen_ai.usage.reasoning.output_tokens`), which `@opentelemetry/instrumentation-openai`
 * does not record. Chat Completions and the Responses API, streamed (with
 * `stream_options: { include_usage: true }` for Chat Completions) and not.
 *
 * Which span: the one active when the `openai` client sends the request. An instrumentation
 * such as the contrib one makes its span active around the call, so whatever order the
 * instrumentations were registered in, the request is sent inside its span, and the usage is
 * written when the response is parsed, before that instrumentation sees the result and ends its
 * span. When no instrumentation made a span for the call (none registered, or none covering
 * the installed `openai`, e.g. 7.x), this one creates the GenAI client span itself, so there is
 * never a second span for one call. `llmCostNodeSDKOptions()` enables it.
 */
export type OpenAIUsageInstrumentation = Instrumentation<OpenAIUsageInstrumentationConfig>;

type OpenAIUsageInstrumentationConstructor = new (
  config?: OpenAIUsageInstrumentationConfig,
) => OpenAIUsageInstrumentation;

/**
 * `new OpenAIUsageInstrumentation(config?)`. The class is defined on first use, on the
 * `InstrumentationBase` of the `@opentelemetry/instrumentation` that the app's
 * `@opentelemetry/sdk-node` resolves (2.x or 3.x line), like the setup helper's other SDK parts:
 * an optional peer, so an app that uses only the span processor needs none of it.
 */
export const OpenAIUsageInstrumentation = function OpenAIUsageInstrumentation(
  config: OpenAIUsageInstrumentationConfig = {},
): OpenAIUsageInstrumentation {
  implementation ??= defineImplementation();
  return new implementation(config);
} as unknown as OpenAIUsageInstrumentationConstructor;

let implementation: OpenAIUsageInstrumentationConstructor | undefined;

function defineImplementation(): OpenAIUsageInstrumentationConstructor {
  const { InstrumentationBase, InstrumentationNodeModuleDefinition } = instrumentationModule();

  class OpenAIUsageInstrumentationImpl extends InstrumentationBase<OpenAIUsageInstrumentationConfig> {
    /** Whether a tracer provider was given (`registerInstrumentations` does); else the global one. */
    private _hasTracerProvider = false;

    constructor(config: OpenAIUsageInstrumentationConfig = {}) {
      super(OPENAI_USAGE_INSTRUMENTATION_NAME, VERSION, config);
    }

    override setTracerProvider(tracerProvider: TracerProvider): void {
      super.setTracerProvider(tracerProvider);
      this._hasTracerProvider = true;
    }

    /**
     * The tracer for our own spans. Without a provider of its own (the setup helper builds this
     * instrumentation before NodeSDK registers the global provider, and NodeSDK is not told about
     * it) the global tracer is looked up per span, not kept from construction: `@opentelemetry/api`
     * 1.10 ships a CommonJS and an ESM build, each with its own proxy provider, and a tracer taken
     * from one of them before the SDK registered through the other stays a no-op for good.
     */
    private _spanTracer(): Tracer {
      return this._hasTracerProvider ? this.tracer : trace.getTracer(OPENAI_USAGE_INSTRUMENTATION_NAME, VERSION);
    }

    protected init(): InstrumentationModuleDefinition[] {
      return [
        new InstrumentationNodeModuleDefinition(
          'openai',
          SUPPORTED_VERSIONS,
          (moduleExports: unknown, moduleVersion?: string) => {
            const OpenAI = openAIClass(moduleExports);
            if (OpenAI === undefined) {
              this._diag.warn(`openai ${moduleVersion ?? ''} has no OpenAI client class; usage is not recorded`);
              return moduleExports;
            }
            wrapMethod(OpenAI.prototype, 'post', this._patchPost());
            const chat = OpenAI.Chat?.Completions?.prototype;
            if (chat) wrapMethod(chat, 'create', this._patchCreate(moduleVersion));
            const responses = OpenAI.Responses?.prototype;
            if (responses) wrapMethod(responses, 'create', this._patchCreate(moduleVersion));
            return moduleExports;
          },
          (moduleExports: unknown) => {
            const OpenAI = openAIClass(moduleExports);
            if (OpenAI === undefined) return;
            unwrapMethod(OpenAI.prototype, 'post');
            if (OpenAI.Chat?.Completions?.prototype) unwrapMethod(OpenAI.Chat.Completions.prototype, 'create');
            if (OpenAI.Responses?.prototype) unwrapMethod(OpenAI.Responses.prototype, 'create');
          },
        ),
      ];
    }

    /**
     * `create` only marks the call in the context (the request model comes from its body); the
     * work is done in `post`, which `create` calls inside every wrapper any instrumentation put
     * around `create`.
     */
    private _patchCreate(openaiVersion: string | undefined) {
      const isEnabled = (): boolean => this.isEnabled();
      return (original: Method): Method =>
        function patchedCreate(this: unknown, ...args: unknown[]): unknown {
          if (!isEnabled()) return original.apply(this, args);
          const body = args[0] as { model?: unknown } | undefined;
          const call: PendingCall = {
            requestModel: typeof body?.model === 'string' ? body.model : undefined,
            entrySpanId: trace.getActiveSpan()?.spanContext().spanId,
            openaiVersion,
            claimed: false,
          };
          return context.with(context.active().setValue(PENDING_CALL, call), () => original.apply(this, args));
        };
    }

    private _patchPost() {
      const isEnabled = (): boolean => this.isEnabled();
      const tracePost = (call: PendingCall, send: () => unknown): unknown => this._tracePost(call, send);
      const reportError = (err: unknown): void => this._diag.error('could not observe an OpenAI call', err);
      return (original: Method): Method =>
        function patchedPost(this: unknown, ...args: unknown[]): unknown {
          const call = context.active().getValue(PENDING_CALL) as PendingCall | undefined;
          if (call === undefined || call.claimed || !isEnabled()) return original.apply(this, args);
          call.claimed = true;
          // The request is sent once, whatever goes wrong here.
          let sent = false;
          let response: unknown;
          const send = (): unknown => {
            sent = true;
            response = original.apply(this, args);
            return response;
          };
          try {
            return tracePost(call, send);
          } catch (err) {
            if (err instanceof OriginalThrew) throw err.error;
            reportError(err);
            return sent ? response : original.apply(this, args);
          }
        };
    }

    private _tracePost(call: PendingCall, send: () => unknown): unknown {
      const active = trace.getActiveSpan();
      // Sampled out: a span of ours would be a child of it, not sampled either.
      if (active !== undefined && (active.spanContext().traceFlags & TraceFlags.SAMPLED) === 0)
        return sendOrRethrow(send);

      // Another instrumentation's span for this call: one it started inside our `create` wrapper
      // (then it is not the span that was active when the call entered), or, when it wraps
      // `create` outside ours, the active span when that is an inference span still recording.
      const theirs = active !== undefined && active.isRecording() && isCallSpan(active);
      const startedInside = active !== undefined && active.spanContext().spanId !== call.entrySpanId;
      if (theirs || startedInside) {
        const promise = sendOrRethrow(send);
        // A span we cannot read might not be this call's: nothing is written onto it.
        if (!theirs) return promise;
        return this._observe(promise, {
          onResponse: (observed) => {
            if (hasKeys(observed.usage)) active!.setAttributes(observed.usage);
          },
          onEnd: () => {},
        });
      }

      warnUncoveredOnce(call.openaiVersion, this.getConfig().createSpans ?? true);
      if (this.getConfig().createSpans === false) return sendOrRethrow(send);
      return this._traceOwnSpan(call, send);
    }

    /** The GenAI client span, for a call no other instrumentation made a span for. */
    private _traceOwnSpan(call: PendingCall, send: () => unknown): unknown {
      const model = call.requestModel;
      const attributes: Attributes = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
      };
      if (model !== undefined) attributes['gen_ai.request.model'] = model;
      const span = this._spanTracer().startSpan(model !== undefined ? `chat ${model}` : 'chat', {
        kind: SpanKind.CLIENT,
        attributes,
      });
      let promise: unknown;
      try {
        promise = context.with(trace.setSpan(context.active(), span), send);
      } catch (err) {
        endWithError(span, err);
        throw new OriginalThrew(err);
      }
      let ended = false;
      const end = (error: unknown): void => {
        if (ended) return;
        ended = true;
        if (error !== undefined) endWithError(span, error);
        else span.end();
      };
      // A failed request (HTTP error, connection error, abort) never reaches the parser.
      (promise as Partial<APIPromiseLike>)
        .asResponse?.()
        .catch((err: unknown) => end(err ?? new Error('request failed')));
      return this._observe(promise, {
        onResponse: (observed) => {
          if (hasKeys(observed.usage)) span.setAttributes(observed.usage);
          if (observed.model !== undefined) span.setAttribute('gen_ai.response.model', observed.model);
        },
        onEnd: end,
      });
    }

    /**
     * Chains a transform onto the client's `APIPromise`, run when the response is parsed and
     * before anyone awaiting the call gets it. A streamed response's event iterator is wrapped
     * so every event is read before the consumer (or another instrumentation) sees it.
     */
    private _observe(
      promise: unknown,
      handlers: { onResponse(observed: ObservedResponse): void; onEnd(error: unknown): void },
    ): unknown {
      const apiPromise = promise as Partial<APIPromiseLike>;
      if (typeof apiPromise._thenUnwrap !== 'function') {
        this._diag.warn('the openai client returned no APIPromise; usage is not recorded');
        handlers.onEnd(undefined);
        return promise;
      }
      return apiPromise._thenUnwrap((result) => {
        try {
          if (isStream(result)) {
            const iterator = result.iterator;
            result.iterator = function observedIterator(this: unknown, ...args: unknown[]) {
              return observeStream(iterator.apply(this, args) as AsyncIterator<unknown>, {
                onEvent: handlers.onResponse,
                onEnd: handlers.onEnd,
              });
            };
          } else {
            handlers.onResponse(observeBody(result));
            handlers.onEnd(undefined);
          }
        } catch (err) {
          this._diag.error('could not read the usage of an OpenAI response', err);
        }
        return result;
      });
    }
  }

  return OpenAIUsageInstrumentationImpl;
}

const ORIGINAL = Symbol('otel-llm-cost original method');

/**
 * Replaces `target[name]` with a wrapper. Not shimmer's `_wrap`: `InstrumentationBase._wrap`
 * first unwraps a method another instrumentation already wrapped, so two instrumentations
 * wrapping `create` with it leave only the last one (the contrib OpenAI instrumentation's span,
 * or ours, would silently disappear depending on the order they were enabled in). This wrapper
 * carries no shimmer marks, so an instrumentation wrapping after us wraps around it, and one
 * that wrapped before us stays inside it.
 */
function wrapMethod<T extends object, K extends keyof T & string>(
  target: T,
  name: K,
  make: (original: Method) => Method,
): void {
  const original = target[name] as unknown;
  if (typeof original !== 'function') return;
  const wrapped = make(original as Method);
  Object.defineProperty(wrapped, ORIGINAL, { value: original });
  Object.defineProperty(target, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
}

/**
 * Restores what {@link wrapMethod} replaced, when our wrapper is still the outermost one. When
 * another instrumentation has wrapped around it since, it stays in place and passes calls
 * through (every wrapper checks `isEnabled()`).
 */
function unwrapMethod<T extends object>(target: T, name: keyof T & string): void {
  const current = target[name] as { [ORIGINAL]?: unknown } | undefined;
  const original = current?.[ORIGINAL];
  if (typeof original === 'function') {
    Object.defineProperty(target, name, { value: original, writable: true, configurable: true, enumerable: false });
  }
}

/** A throw from the `openai` client itself, to be rethrown unchanged. */
class OriginalThrew {
  constructor(readonly error: unknown) {}
}

function sendOrRethrow(send: () => unknown): unknown {
  try {
    return send();
  } catch (err) {
    throw new OriginalThrew(err);
  }
}

type Method = (...args: unknown[]) => unknown;

interface OpenAIClass {
  prototype: { post: Method };
  Chat?: { Completions?: { prototype: { create: Method } } };
  Responses?: { prototype: { create: Method } };
}

/** The client class of an `openai` module, CommonJS or ESM namespace. */
function openAIClass(moduleExports: unknown): OpenAIClass | undefined {
  const mod = moduleExports as { OpenAI?: unknown; default?: { OpenAI?: unknown } } | undefined;
  const candidate = mod?.OpenAI ?? mod?.default?.OpenAI ?? mod?.default;
  return typeof candidate === 'function' && typeof (candidate.prototype as { post?: unknown })?.post === 'function'
    ? (candidate as unknown as OpenAIClass)
    : undefined;
}

/**
 * Whether the active span is the span of this model call, made by another instrumentation (or
 * by hand): an inference span by the processor's own rules (an agent or workflow span around
 * the call is not). Its usage is completed with the semconv keys, also on an OpenInference
 * span: OpenInference records no usage at all on streamed chat calls (docs/instrumentations.md),
 * and the processor reads the semconv keys first, with the same meaning.
 */
function isCallSpan(span: Span): boolean {
  // OpenInference makes its `OISpan` active, a wrapper that keeps the SDK span in `span`.
  let readable = span as unknown as ReadableSpanLike & { span?: unknown };
  if (readable.attributes === undefined && readable.span !== null && typeof readable.span === 'object') {
    readable = readable.span as ReadableSpanLike;
  }
  const attributes = readable.attributes;
  if (attributes === undefined || attributes === null || typeof attributes !== 'object') return false;
  if (!mayBeGenAi(attributes)) return false;
  const name = typeof readable.name === 'string' ? readable.name : '';
  return spanRole(name, attributes, true) === 'inference';
}

interface StreamLike {
  iterator: (...args: unknown[]) => unknown;
  controller: unknown;
}

/** An `openai` `Stream`: its events come from its `iterator` method (also used by `tee()`). */
function isStream(value: unknown): value is StreamLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as StreamLike).iterator === 'function' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

function endWithError(span: Span, error: unknown): void {
  const type = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  span.setAttribute('error.type', typeof type === 'string' && type !== '' ? type : '_OTHER');
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
  span.end();
}

function hasKeys(attributes: Attributes): boolean {
  for (const _ in attributes) return true;
  return false;
}
