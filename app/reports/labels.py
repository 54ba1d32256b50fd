"""What people read about field reports: the public state in plain words, the outcomes, the
attribute types, and why an input was refused (ReportError codes)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The six states the public page shows (app/reports/services.py public_state decides which).
PUBLIC_STATES = {
    "received": _l("Received"),
    "in_progress": _l("In progress"),
    "fixed": _l("Fixed"),
    "closed": _l("Closed"),
    "not_responsible": _l("Not the commune's responsibility"),
    "duplicate": _l("Duplicate of another report"),
}
# One sentence under the state, for the resident who reported it and anyone who follows it.
PUBLIC_STATE_TEXT = {
    "received": _l("The commune has received the report and will look at it."),
    "in_progress": _l("An officer is dealing with the problem."),
    "fixed": _l("The commune says the problem is fixed."),
    "closed": _l("The commune has answered and closed the report."),
    "not_responsible": _l("The commune says this is not its responsibility; the answer says "
                          "who to turn to."),
    "duplicate": _l("The same problem was already reported: follow that report instead."),
}

# What the officer answering a report chooses.
OUTCOME_LABELS = {
    "fixed": _l("Fixed: the problem has been dealt with"),
    "closed": _l("Closed: answered, nothing more to do"),
    "not_responsible": _l("Not the commune's responsibility"),
}

ATTRIBUTE_TYPE_LABELS = {
    "string": _l("A short text"),
    "number": _l("A number"),
    "text": _l("A longer text"),
    "singlevaluelist": _l("One choice from a list"),
    "multivaluelist": _l("Several choices from a list"),
}

LOCATION_SOURCE_LABELS = {
    "device": _l("the phone's location"),
    "photo": _l("the photo's location"),
    "typed": _l("typed by the reporter"),
    "api": _l("sent by the app"),
}

# Why the input was refused (ReportError codes), as people read it.
ERRORS = {
    "category_required": _l("Choose what kind of problem it is."),
    "description_required": _l("Describe the problem: what it is and exactly where."),
    "too_long": _l("This is too long: at most %(max)d characters."),
    "bad_character": _l("This contains a character that cannot be used here (a control or "
                        "text-direction character). Remove it and try again."),
    "commune_required": _l("Choose the commune or ward where the problem is."),
    "village_not_in_commune": _l("This village is not in the commune chosen. Choose one of its "
                                 "villages, or none."),
    "location_required": _l("Say where the problem is: use your location, type the "
                            "coordinates, choose the village or write the address."),
    "not_a_number": _l("Write the coordinate as a decimal number of degrees, like 21.5942."),
    "lat_range": _l("A latitude is between -90 and 90 degrees."),
    "lng_range": _l("A longitude is between -180 and 180 degrees."),
    "half": _l("Give both the latitude and the longitude, or neither."),
    "outside_vietnam": _l("These coordinates are outside Vietnam. Check them (is the latitude "
                          "first?), or leave them empty and choose the village."),
    "too_many_photos": _l("At most 3 photos."),
    "photo_empty": _l("A photo is empty."),
    "photo_too_large": _l("A photo is too large: at most 8 MB each."),
    "photo_bad_type": _l("A photo must be a JPEG or PNG image; one of the files is not."),
    "photo_name_mismatch": _l("A photo's name does not match its content (a JPEG must end in "
                              ".jpg or .jpeg, a PNG in .png): rename it and try again."),
    "photo_too_many_pixels": _l("A photo has too many pixels (more than 50 megapixels). Send a "
                                "smaller one."),
    "photo_unreadable": _l("A photo could not be read: it may be damaged. Take it again."),
    "attribute_required": _l("Answer this question."),
    "attribute_not_a_number": _l("Write a number, with digits only."),
    "attribute_bad_choice": _l("Choose from the list."),
    "attribute_one_value": _l("Give one answer only."),
    "attribute_too_long": _l("This answer is too long: at most %(max)d characters."),
    "attribute_bad_character": _l("This answer contains a character that cannot be used."),
    "no_route": _l("No department of this commune takes reports of this kind yet. Nothing was "
                   "sent; please tell the commune by phone or at its office."),
    "not_found": _l("This report cannot be found."),
    "not_open": _l("This report is closed: it cannot be supported any more."),
    "own": _l("This is your own report: the commune already knows you want it dealt with."),
    "twice": _l("You already support this report. Each person supports it once."),
    "not_rateable": _l("This answer cannot be rated: only the person who reported it may rate "
                       "the commune's answer, once, after it is given."),
    "bad_rating": _l("Choose one of the five answers."),
    "answer_required": _l("Write the answer the public will read."),
    "bad_outcome": _l("Choose how the report ends."),
    "outcome_not_now": _l("This ending is not possible for the report now: receive it and "
                          "start processing first."),
    "answered": _l("This report has already been answered."),
    "merge_self": _l("A report cannot be merged into itself."),
    "merge_unknown": _l("There is no open report with this code in the commune."),
    "merge_not_now": _l("This report cannot be merged now: it is closed, or you may not close "
                        "it in its present state."),
    "merge_chain": _l("That report is itself a duplicate: merge into the report it points to."),
    "fix_photo": _l("The photo of the fix could not be used: send a JPEG or PNG photo of at "
                    "most 8 MB."),
    # Administration.
    "bad_code": _l("Use 2 to 40 lower-case letters, digits and dashes, starting with a letter "
                   "or digit, e.g. cong-ranh-tac."),
    "code_taken": _l("Another category already has this code."),
    "code_fixed": _l("The code cannot change: apps that use the Open311 API keep it."),
    "name_vi_required": _l("Enter the name in Vietnamese."),
    "name_en_required": _l("Enter the name in English."),
    "description_vi_required": _l("Enter the question in Vietnamese."),
    "description_en_required": _l("Enter the question in English."),
    "sla_range": _l("Enter a whole number of working days from 1 to 60."),
    "position_range": _l("Enter a whole number from 0 to 1000."),
    "attribute_position_range": _l("Enter a whole number from 1 to 1000."),
    "unknown_category": _l("This category does not exist any more."),
    "unknown_attribute": _l("This question does not exist any more."),
    "unknown_route": _l("This route does not exist any more."),
    "bad_attribute_code": _l("Use lower-case letters, digits, dashes and underscores, e.g. "
                             "pole_number."),
    "attribute_code_taken": _l("The category already has a question with this code."),
    "bad_datatype": _l("Choose the kind of answer."),
    "choices_required": _l("A list needs at least two choices, one per line: key | tên | "
                           "name."),
    "choice_line": _l("Line %(line)d: write key | tên tiếng Việt | English name."),
    "choice_key": _l("Line %(line)d: the key must be letters, digits, dashes or underscores, "
                     "and different on each line."),
    "too_many_choices": _l("At most %(max)d choices."),
    "too_many_attributes": _l("At most %(max)d questions per category."),
    "bad_mode": _l("Choose how reports reach officers."),
    "route_unit": _l("Choose the province or a commune."),
    "route_department": _l("Choose a department."),
    "department_inactive": _l("This department is switched off."),
    "department_refuses": _l("This department does not take field reports: tick “Field "
                             "report” among its kinds of case first."),
    "department_elsewhere": _l("This department is not in the unit chosen or above it."),
    "key_name_required": _l("Enter the name of the app or organisation."),
    "unknown_key": _l("This key does not exist."),
}


def message(error) -> str:
    text = ERRORS.get(error.code, ERRORS["not_found"])
    details = {k: v for k, v in (error.details or {}).items() if k in ("max", "line")}
    return str(text) % details if details else str(text)
