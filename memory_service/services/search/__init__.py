"""Finding memories: hybrid search over keyword and vector candidates, its ranking, and
search as the store stood at an earlier event."""
