"""What an operator sees of a running service: Prometheus metrics, one structured log line
per request under its request id, optional OpenTelemetry traces, and the stores' status.

Each module owns one of these; the submodules are imported where they are used, never
from here, so the store layer can record its metrics without importing the rest.
"""
