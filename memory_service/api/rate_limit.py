"""Request rates counted in this process with the `limits` library: per token, and failed
authentications per client address."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse, storage, strategies

from memory_service.errors import InvalidInput, RateLimited
from memory_service.observability import metrics


def _rate(spec: str, setting: str, example: str) -> RateLimitItem | None:
    """The rate a setting names, None for 'none', or InvalidInput saying how to write one."""
    try:
        return None if spec.strip().lower() == "none" else parse(spec)
    except ValueError as exc:
        raise InvalidInput(
            f"{setting}={spec!r} is not a rate: use e.g. {example!r} or 'none'"
        ) from exc


class _Window:
    """A moving window per key, and how long a key over it must wait."""

    def __init__(self, item: RateLimitItem | None) -> None:
        self.item = item
        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def retry_after(self, key: str) -> int:
        assert self.item is not None
        reset = self.limiter.get_window_stats(self.item, key).reset_time
        return max(1, math.ceil(reset - time.time()))


class TokenRateLimit(_Window):
    """A moving window per token: over the rate, requests get 429 and Retry-After."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        super().__init__(_rate(spec, "MEMORY_RATE_LIMIT", "600/minute"))

    def hit(self, key: str) -> None:
        """Count one request of `key`, or RateLimited saying when to retry."""
        if self.item is None or self.limiter.hit(self.item, key):
            return
        metrics.count_rate_limited("token")
        retry_after = self.retry_after(key)
        raise RateLimited(
            f"this token sent more than {self.spec} requests: retry in {retry_after} s, "
            "or ask for a higher MEMORY_RATE_LIMIT",
            retry_after=retry_after,
            limit=self.spec,
        )


class AuthFailureLimit(_Window):
    """Failed authentications per client address: over the rate, the address is refused
    before its token is even looked at, so guessing tokens gets nowhere."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        super().__init__(_rate(spec, "MEMORY_AUTH_FAILURE_LIMIT", "20/minute"))

    def check(self, address: str) -> None:
        """RateLimited while `address` is over its failures, whatever token it sends now."""
        if self.item is None or self.limiter.test(self.item, address):
            return
        metrics.count_rate_limited("auth_failures")
        retry_after = self.retry_after(address)
        raise RateLimited(
            f"this address sent more than {self.spec} requests with a wrong token: check "
            f"the token, then retry in {retry_after} s (MEMORY_AUTH_FAILURE_LIMIT sets the "
            "limit)",
            retry_after=retry_after,
            limit=self.spec,
        )

    def failed(self, address: str) -> None:
        """Count one failed authentication from `address`."""
        if self.item is not None:
            self.limiter.hit(self.item, address)
