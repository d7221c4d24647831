"""Domain errors. Services raise these; the API maps them to JSON 4xx in one
handler (config/api.py) and pages show them next to the field they name."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the request. Nothing was changed."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        errors: dict[str, list[str]] | None = None,
        data: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        self.errors = errors or ({field: [message]} if field else {})
        # Machine-readable details the API adds to its answer (e.g. the ids of missing materials).
        self.data = data or {}


class Refused(DomainError):
    """The user's role or centers do not allow this."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class WrongState(DomainError):
    """The record is not in a state where this step is allowed."""

    status = 409
    code = "wrong_state"


def from_django_validation(exc) -> DomainError:
    """Turn a Django ValidationError into one DomainError keeping every field message."""
    if hasattr(exc, "message_dict"):
        errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    first_field, msgs = next(iter(errors.items()))
    field = None if first_field == "__all__" else first_field
    return DomainError("；".join(m for v in errors.values() for m in v), field=field, errors=errors)
