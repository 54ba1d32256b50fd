"""What every service raises when one of its rules says no (no Flask here).

`code` names the rule (each package's messages turn it into words in the reader's language),
`field` the form field it concerns, or None for the whole form (BaseForm.add_error puts it
where it belongs), and `details` what the message needs (an amount, a limit). Each service
keeps its own subclass so that a view catches only the refusals it knows how to word.
"""
from __future__ import annotations


class Refusal(Exception):
    def __init__(self, code: str, field: str | None = None, **details):
        super().__init__(code)
        self.code = code
        self.field = field
        self.details = details
