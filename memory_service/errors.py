"""Domain errors raised by services; the API maps each class to one HTTP status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a caller can fix; carries a code, a message and details."""

    code = "bad_request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """The request is well-formed JSON but its values break a rule of the domain."""

    code = "invalid_input"


class MemoryNotFound(DomainError):
    """No memory has the requested id."""

    code = "memory_not_found"


class ProjectNotFound(DomainError):
    """A filter names a project that holds no memories."""

    code = "project_not_found"


class DecisionConflict(DomainError):
    """A decision on the same project and topic is already accepted."""

    code = "decision_conflict"


class StateConflict(DomainError):
    """The change is not allowed in the memory's current state."""

    code = "state_conflict"


class DecisionStateConflict(StateConflict):
    """The lifecycle allows no such transition from the memory's current state; the error
    names that state and the ones it may move to (decisions/0066)."""

    code = "illegal_transition"


class PayloadTooLarge(DomainError):
    """Content, batch or body exceeds a configured limit."""

    code = "payload_too_large"


class ScanBudgetExceeded(PayloadTooLarge):
    """A request holds more text than one request may have scanned for secrets."""

    code = "scan_budget_exceeded"


class IndexMismatch(Exception):
    """The vector index was built with another embedding model; start-up must stop."""


class RollbackTargetUnknown(DomainError):
    """The rollback or `since` target names no checkpoint, sequence or time of the project."""

    code = "rollback_target_unknown"


class NothingToRollBack(DomainError):
    """Nothing in scope changed after the target."""

    code = "nothing_to_roll_back"


class RollbackNotFound(DomainError):
    """No rollback has the requested id."""

    code = "rollback_not_found"


class Unauthorized(DomainError):
    """No valid token: it is missing, unknown or revoked."""

    code = "unauthorized"


class Forbidden(DomainError):
    """The token is valid but its role, agent or projects do not allow the request."""

    code = "forbidden"


class RateLimited(DomainError):
    """The token sent more requests than its rate allows; retry after `retry_after` seconds."""

    code = "rate_limited"


class SecretRejected(DomainError):
    """A field holds what looks like a secret and the policy (MEMORY_SECRETS) is `reject`."""

    code = "secret_detected"


class OpenModeRefused(Exception):
    """No token exists and the service would listen beyond loopback; start-up must stop."""
