"""Per-token request rates, counted in this process with the `limits` library."""

from __future__ import annotations

import math
import time

from limits import parse, storage, strategies

from memory_service.errors import InvalidInput, RateLimited


class TokenRateLimit:
    """A moving window per token: over the rate, requests get 429 and Retry-After."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        try:
            self.item = None if spec.strip().lower() == "none" else parse(spec)
        except ValueError as exc:
            raise InvalidInput(
                f"MEMORY_RATE_LIMIT={spec!r} is not a rate: use e.g. '600/minute' or 'none'"
            ) from exc
        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def hit(self, key: str) -> None:
        """Count one request of `key`, or RateLimited saying when to retry."""
        if self.item is None or self.limiter.hit(self.item, key):
            return
        reset = self.limiter.get_window_stats(self.item, key).reset_time
        retry_after = max(1, math.ceil(reset - time.time()))
        raise RateLimited(
            f"this token sent more than {self.spec} requests: retry in {retry_after} s, "
            "or ask for a higher MEMORY_RATE_LIMIT",
            retry_after=retry_after,
            limit=self.spec,
        )
