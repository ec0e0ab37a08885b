# agent-memory service image: CPU-only torch, the bundled all-MiniLM-L6-v2 model, and
# nothing downloaded at run time. Configure it with MEMORY_* variables (see README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /app
# CPU torch first and pinned, as scripts/install does: an unpinned torch pulls CUDA.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY memory_service ./memory_service
COPY agent_cli ./agent_cli
RUN pip install .

RUN useradd --create-home --uid 10001 memory && mkdir -p /data && chown memory /data
USER memory
ENV MEMORY_HOST=0.0.0.0 \
    MEMORY_PORT=8765 \
    MEMORY_DATA_DIR=/data \
    MEMORY_MODEL_CACHE_DIR=/home/memory/models
# The ONNX export of the model is made at build time, so a container starts in seconds.
RUN memory-service prepare-model
EXPOSE 8765
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8765/healthz', timeout=2)"]
CMD ["memory-service"]
