"""The vector index as a derived copy of SQL: the outbox drain, reindex, the start-up
model check, vectors cached by text, and embedding a remember while it commits."""
