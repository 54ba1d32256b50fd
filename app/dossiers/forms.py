from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.forms import BaseForm


class TrackForm(BaseForm):
    """POST, not GET: a phone number or ID number must not sit in addresses and logs."""

    code = StringField(_l("Dossier code"), validators=[
        DataRequired(_l("Enter the dossier code printed on your receipt.")),
        Length(max=40, message=_l("A dossier code is at most %(max)d characters."))])
    contact = StringField(_l("Phone number or ID number of the applicant"), validators=[
        DataRequired(_l("Enter the phone number or ID number given when the dossier was submitted.")),
        Length(max=40, message=_l("This is too long: at most %(max)d characters."))])
