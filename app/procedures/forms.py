"""The catalogue's search form: a GET form, so a search is a link people can share."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SearchField, SelectField
from wtforms.validators import Length

from app.forms import BaseForm


class CatalogueSearchForm(BaseForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search procedures"), validators=[
        Length(max=200, message=_l("Keep the search under %(max)d characters."))])
    field = SelectField(_l("Field"), validate_choice=False)
