"""A Python LLM app as users write them: the OpenTelemetry Python SDK, the official OpenAI
instrumentation (opentelemetry-instrumentation-openai-v2) and the OpenAI client, exporting
OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (the front Collector). It knows nothing about cost.

Calls the OpenAI-compatible server at MOCK_OPENAI_BASE_URL once per entry of CALLS (a JSON list
of {"model": ..., "usage": {...}}), under one parent span, then flushes and exits.
"""
import json
import os

from openai import OpenAI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

provider = TracerProvider(resource=Resource.create({"service.name": "python-chat-app"}))
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
trace.set_tracer_provider(provider)
OpenAIInstrumentor().instrument()

client = OpenAI(base_url=os.environ["MOCK_OPENAI_BASE_URL"], api_key="not-a-real-key")
tracer = trace.get_tracer("python-chat-app")

with tracer.start_as_current_span("answer question"):
    for call in json.loads(os.environ["CALLS"]):
        # The mock server reports the usage given in the prompt (examples/mock-llm).
        client.chat.completions.create(
            model=call["model"],
            messages=[{"role": "user", "content": "usage:" + json.dumps(call["usage"])}],
        )

provider.shutdown()
