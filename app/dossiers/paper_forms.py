"""Forms of the resident's dossier page, their papers and the desk's scans (app/dossiers/papers.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from app.forms import BaseForm

MESSAGE_MAX = 2000


class SupplementForm(BaseForm):
    """What the office asked for: files, a message, or both (checked in the service)."""

    files = MultipleFileField(_l("The papers asked for (PDF, JPG or PNG, at most 5 MB each)"))
    message = TextAreaField(_l("Message to the office (optional)"), validators=[
        Optional(), Length(max=MESSAGE_MAX,
                           message=_l("Keep the message under %(max)d characters."))])


class ScanForm(BaseForm):
    """The desk's scans of paper documents brought in person. It shares the workbench's case
    page with other forms under a prefix, so, like theirs (app/workbench/forms.py PageForm),
    its own token is off: the app-wide CSRFProtect checks the page's one `csrf_token`."""

    class Meta:
        csrf = False

    files = MultipleFileField(_l("Scanned papers (PDF, JPG or PNG, at most 5 MB each)"))
