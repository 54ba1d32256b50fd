"""Forms for comments, flags and moderators' decisions (all through BaseForm's input rules)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from app.community.moderation_service import (COMMENT_MAX, COMMENT_TARGETS, FLAG_TARGETS,
                                              REASON_MAX)
from app.forms import BaseForm
from app.models.community import FLAG_REASONS

FLAG_REASON_LABELS = {
    "spam": _l("Spam or advertising"),
    "abusive": _l("Abusive or offensive"),
    "off_topic": _l("Off topic"),
    "personal_data": _l("Shows someone's personal data"),
}
assert set(FLAG_REASON_LABELS) == set(FLAG_REASONS)

TARGET_LABELS = {
    "initiative": _l("Initiative"),
    "village_need": _l("Village need"),
    "comment": _l("Comment"),
}
ACTION_LABELS = {
    "auto_hide": _l("Hidden by flags"),
    "restore": _l("Restored"),
    "remove": _l("Removed"),
}


class _Target:
    """The thing acted on: its type and id travel as hidden fields."""

    target_id = HiddenField(validators=[DataRequired(), Length(max=10)])


class CommentForm(BaseForm, _Target):
    target_type = HiddenField(validators=[DataRequired(), AnyOf(COMMENT_TARGETS)])
    body = TextAreaField(_l("Your comment"), validators=[
        DataRequired(_l("Write your comment.")),
        Length(max=COMMENT_MAX, message=_l("A comment is at most %(max)d characters."))])
    next = HiddenField(validators=[Length(max=2000)])


class FlagForm(BaseForm, _Target):
    target_type = HiddenField(validators=[DataRequired(), AnyOf(FLAG_TARGETS)])
    reason = SelectField(_l("Why should a moderator look at this?"),
                         choices=[(k, v) for k, v in FLAG_REASON_LABELS.items()],
                         validators=[DataRequired(_l("Choose a reason."))])
    next = HiddenField(validators=[Length(max=2000)])


class DecisionForm(BaseForm, _Target):
    target_type = HiddenField(validators=[DataRequired(), AnyOf(FLAG_TARGETS)])
    reason = TextAreaField(_l("Reason (kept in the moderation log)"), validators=[
        DataRequired(_l("Give the reason for your decision.")),
        Length(max=REASON_MAX, message=_l("The reason is at most %(max)d characters."))])
