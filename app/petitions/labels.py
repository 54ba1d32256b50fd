"""Words of the petitions pages: the refusals of the services (by code), the kinds and the
sources, as people read them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_NAMES = {"question": _l("Question"), "petition": _l("Petition")}
SOURCE_NAMES = {"online": _l("Sent online"), "voter": _l("Raised at a voters' meeting"),
                "reception": _l("Raised at a citizen reception")}

ERRORS = {
    "bad_kind": _l("Choose a question or a petition."),
    "bad_topic": _l("Choose a topic from the list."),
    "bad_unit": _l("Choose a commune or ward from the list."),
    "bad_procedure": _l("Choose a procedure from the list, or none."),
    "title_required": _l("Write the subject in a few words."),
    "title_too_long": _l("The subject can be at most 200 characters."),
    "body_required": _l("Write your question or petition."),
    "body_too_long": _l("Keep it under 5000 characters: attach a file for anything longer."),
    "name_required": _l("Enter your full name."),
    "name_too_long": _l("The name can be at most 120 characters."),
    "bad_phone": _l("Enter a Vietnamese mobile number, like 0912 345 678."),
    "phone_required": _l("Enter your mobile phone number: without an account it is how you "
                         "find the answer, with the code you will be given."),
    "bad_email": _l("Enter an e-mail address like ten@example.vn, or leave it empty."),
    "too_many_files": _l("Attach at most 3 files."),
    "no_route": _l("No office of this commune takes this topic yet. Choose another topic, or "
                   "ask the commune."),
    "bad_department": _l("Choose an agency from the list."),
    "not_found": _l("There is no such question or petition."),
    "not_moderator": _l("Only staff of the commune may decide on this."),
    "not_held": _l("A moderator has already decided on this; nothing was changed."),
    "note_required": _l("Give the reason: the asker is told it."),
    "note_too_long": _l("Keep the reason under 500 characters."),
    "bad_rating": _l("Choose one of the five answers."),
    "comment_too_long": _l("Keep the comment under 1000 characters."),
    "not_rateable": _l("This answer cannot be rated: only an answer already published can be "
                       "rated, once."),
    "answer_required": _l("Write the answer."),
    "answer_too_long": _l("Keep the answer under 10000 characters."),
    "not_staff": _l("Only staff of that commune may do this."),
    "sheet_published": _l("The answer sheet of this meeting is already published; it cannot "
                          "be changed."),
    "sheet_incomplete": _l("Every petition of the meeting must be answered (or closed with a "
                           "reason) before the answer sheet is published."),
    "place_required": _l("Enter where the meeting was held."),
    "place_too_long": _l("The place can be at most 300 characters."),
    "deputies_required": _l("Name the deputies who met the voters."),
    "deputies_too_long": _l("Keep the list of deputies under 2000 characters."),
    "held_on_required": _l("Enter the date of the meeting."),
    "held_on_future": _l("The meeting cannot be in the future: record it once it was held."),
}
# The same words as a dossier's attachments: one check (app/uploads.py), one way to say it.
from app.dossiers.papers import UPLOAD_ERRORS  # noqa: E402,F401
FILES_NOT_KEPT = _l("The files you chose were not kept: choose them again before sending.")
