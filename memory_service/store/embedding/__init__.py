"""The embedding model as the service runs it: the ONNX export, the runtime session,
micro-batching of concurrent callers and embeddings started ahead of time."""
