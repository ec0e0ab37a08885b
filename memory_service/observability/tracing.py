"""OpenTelemetry tracing of requests: off by default, on when the standard OTEL_* variables
ask for it and the optional `otel` extra is installed (`pip install 'agent-memory[otel]'`).

The exporter follows the standard variables too: OTEL_EXPORTER_OTLP_ENDPOINT (and its
TRACES_ variant), OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf unless 'grpc'),
OTEL_TRACES_EXPORTER ('otlp', 'console' or 'none'), OTEL_SERVICE_NAME, OTEL_SDK_DISABLED.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

log = logging.getLogger("memory_service")
ASKING = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_TRACES_EXPORTER",
)
# Probes and scrapes every few seconds would bury the traces of real work.
UNTRACED = "healthz,readyz,metrics"


def wanted(env: Mapping[str, str]) -> bool:
    """Whether the OTEL_* variables ask for traces."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(env.get(name, "").strip() for name in ASKING)


def _exporter(env: Mapping[str, str]) -> Any:
    """The span exporter the OTEL_* variables name: OTLP over HTTP or gRPC, or console."""
    kind = env.get("OTEL_TRACES_EXPORTER", "otlp").split(",")[0].strip().lower() or "otlp"
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    # Endpoint, headers and timeout come from the OTEL_* variables too.
    if protocol.strip().lower() == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as Http

    return Http()


def instrument(app: FastAPI, env: Mapping[str, str] | None = None) -> bool:
    """Trace `app`'s requests when the OTEL_* variables ask for it; whether it now does."""
    env = os.environ if env is None else env
    if not wanted(env):
        return False
    try:
        from opentelemetry import trace
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        log.warning(
            "the OTEL_* variables ask for traces, but the tracing packages are not installed "
            "(no %s): install them with `pip install 'agent-memory[otel]'`, or unset "
            "OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_TRACES_EXPORTER; serving without traces",
            exc.name,
        )
        return False
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        # One provider per process, however many apps it builds (tests build many).
        name = env.get("OTEL_SERVICE_NAME", "agent-memory")
        provider = TracerProvider(resource=Resource.create({"service.name": name}))
        provider.add_span_processor(BatchSpanProcessor(_exporter(env)))
        trace.set_tracer_provider(provider)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=UNTRACED)
    return True
