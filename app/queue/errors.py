"""Errors the queue raises. Each carries a stable `code` (the web layer turns it into a
bilingual message) and leaves the database unchanged: the caller rolls back."""
from __future__ import annotations


class QueueError(Exception):
    code = "queue_error"

    def __init__(self, message: str = "", **details):
        super().__init__(message or self.code)
        self.details = details


class IllegalTransition(QueueError):
    code = "illegal_transition"


class NotAllowed(QueueError):
    """The actor's role or department does not permit this action."""
    code = "not_allowed"


class StaleCase(QueueError):
    """The case changed since the form was loaded (its version moved on)."""
    code = "stale_case"


class WrongDepartment(QueueError):
    """A transfer to a department that does not take this case type."""
    code = "wrong_department"


class NoRoute(QueueError):
    """No routing rule matches the case."""
    code = "no_route"


class NothingToClaim(QueueError):
    code = "nothing_to_claim"
