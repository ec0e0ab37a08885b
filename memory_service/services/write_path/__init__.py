"""The one write path: the checks a new or changed memory passes (secrets, refs,
idempotency) and the rows it writes with its event and outbox entry."""
