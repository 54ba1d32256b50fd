"""Hostile requests for every route, and what every answer to them must respect.

tests/integration/test_fuzz_routes.py walks the URL map; this module knows, per route, which
forms it reads (the WTForms classes themselves: each field's type decides what hostile values
it gets), which query filters it takes, and how to judge an answer:

  * never a 5xx;
  * a full HTML page carries the language of its URL, and a Vietnamese page never shows
    WTForms' or Flask-WTF's built-in English messages;
  * a Location header never leaves the site (judged the way a browser reads it);
  * when the answer says nothing was saved (a 4xx, or a form shown again with errors), no row
    of any table changed.

Values are built around a plausible submission (one that could pass validation), with some
fields replaced by hostile values, left out, or sent twice, so hostile input also reaches the
services and the database rather than stopping at the first validator.
"""
from __future__ import annotations

import logging
import re
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable
from urllib.parse import quote

from hypothesis import strategies as st
from sqlalchemy import text
from wtforms import (BooleanField, DateField, DecimalField, FloatField, HiddenField,
                     IntegerField, SelectField, SelectMultipleField)
from wtforms.fields.core import UnboundField

from tests.access_matrix import PASSWORD, ROLES, World, roles_let_in

# --- hostile values ------------------------------------------------------------------------

BIG = "A" * 100_000
TEXT_HOSTILE = [
    "\x00", "a\x00b", "\x01\x02\x03\x1f\x7f", "\x1b[31m", "\r\n", "line\rbreak\nhere", "\t",
    "\u202eevil\u202c", "\u200b", "zero\u200bwidth\u200d", "\ufeff", "\u2028\u2029", BIG,
    "Ấ" * 50_000, "e\u0301" * 2_000, "\U0001F600\U0001F4A9", "０９１２３４５６７８",
    "٠٩١٢٣٤٥٦٧٨", "%s%(x)s{0}%n", "'; DROP TABLE users;--", "<script>alert(1)</script>",
    "../../../etc/passwd", " ", "", "\x00" * 300, "\ud7ff\ue000\uffff",
]
INT_HOSTILE = [
    "", "0", "-1", "-9223372036854775809", "2147483647", "2147483648", "4294967296",
    "9223372036854775807", "9223372036854775808", "18446744073709551616", "9" * 40, "²", "¹²",
    "١٢", "１２", "𝟙", "1e3", "0x1f", "1.5", " 7 ", "+5", "NaN", "inf", "1_000", "\x00",
    "1\x00", "-0", BIG,
]
DATE_HOSTILE = [
    "", "2026-02-30", "2026-02-29", "2026-13-01", "0000-01-01", "0001-01-01", "9999-12-31",
    "99999-01-01", "10000-01-01", "1900-01-01", "31/02/2026", "29/02/2026", "00/00/0000",
    "01/01/0001", "2026-1-1", "٢٠٢٦-٠١-٠١", "２０２６-01-01", "2026-01-01\x00",
    "2026-01-01T10:00", "today", BIG,
]
VERSION_HOSTILE = ["STALE", "²", "١", "", "-1", "18446744073709551616", "1\x00", BIG]
BOOL_HOSTILE = ["", "on", "false", "0", "\x00", BIG]
REDIRECT_HOSTILE = [
    "/\t/evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", "http:evil.example", "javascript:alert(1)", " //evil.example",
    "/\r\n/evil.example", "/vi/\r\nSet-Cookie: x=1", "/vi/%0d%0aX: y", "/\x00/evil.example",
    "/vi/" + "a" * 10_000, "\x01//evil.example", "///evil.example",
]
HEADER_HOSTILE = ["\x00", "vi;q=2, en;q=nan", "*", "zz-ZZ", "a" * 5_000, "vi,en;q=0.5"]
URL_INT_HOSTILE = ["0", "2147483648", "9223372036854775808", "18446744073709551616", "9" * 40,
                   "-1", "١٢", "²", "00001"]
URL_TEXT_HOSTILE = ["\x00", "a\x00b", "\u202e", BIG[:5000], "..", "../../etc/passwd", "%",
                    "\r\n", "٣", " "]

# WTForms and Flask-WTF built-in messages (English only: WTForms ships no Vietnamese catalogue).
ENGLISH_BUILT_INS = [
    "Not a valid choice", "is not a valid choice", "Invalid Choice: could not coerce",
    "Not a valid integer value", "Not a valid date value", "Not a valid datetime value",
    "Not a valid decimal value", "Not a valid float value", "This field is required",
    "Field cannot be longer than", "Field must be at least", "Field must be between",
    "Field must be equal to", "Invalid email address", "Number must be", "Invalid input.",
    "Invalid value, must be one of", "CSRF token", "CSRF failed", "Choices cannot be None",
]


# --- the forms each route reads ------------------------------------------------------------

@dataclass(frozen=True)
class FieldSpec:
    name: str          # the name in the request (with the form's prefix)
    base: str          # the field's own name, which picks its plausible value
    kind: str          # text, int, date, choice, multi, bool, version, redirect
    choices: tuple = ()


def _kind(name: str, unbound: UnboundField) -> str:
    cls = unbound.field_class
    if issubclass(cls, DateField):
        return "date"
    if issubclass(cls, (IntegerField, DecimalField, FloatField)):
        return "int"
    if issubclass(cls, SelectMultipleField):
        return "multi"
    if issubclass(cls, SelectField):
        return "int" if unbound.kwargs.get("coerce") is int else "choice"
    if issubclass(cls, BooleanField):
        return "bool"
    if issubclass(cls, HiddenField) and name == "version":
        return "version"
    return "text"


def form_fields(form_class, prefix: str = "") -> list[FieldSpec]:
    """The fields of a WTForms class, read from the class itself."""
    specs = []
    for name in dir(form_class):
        value = getattr(form_class, name, None)
        if name.startswith("_") or not isinstance(value, UnboundField):
            continue
        choices = tuple(c[0] if isinstance(c, tuple) else c
                        for c in (value.kwargs.get("choices") or ()))
        specs.append(FieldSpec(f"{prefix}-{name}" if prefix else name, name, _kind(name, value),
                               choices))
    return sorted(specs, key=lambda s: s.name)


def model_fields(model) -> list[FieldSpec]:
    """The fields of a pydantic model the JSON API validates (app/api/schemas.py)."""
    from typing import Literal, get_args, get_origin

    specs = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if get_origin(annotation) is Literal:
            specs.append(FieldSpec(name, name, "choice", get_args(annotation)))
        else:
            specs.append(FieldSpec(name, name, "int" if annotation is int else "text"))
    return sorted(specs, key=lambda s: s.name)


def _forms():
    from app.admin import forms as admin, procedure_forms as procedures
    from app.api import schemas as api
    from app.dossiers import fee_forms, forms as dossier_forms, online_forms, paper_forms
    from app.auth import forms as auth
    from app.community import initiatives_forms as initiatives
    from app.workbench import forms as workbench
    from app.community import partners_forms as partners
    from app.village import forms as village
    from app.community import moderation_forms
    from app.appointments import forms as appointments  # desk appointments
    from app.village import notice_forms as notices
    from app.reports import forms as report_forms
    from app.petitions import forms as petitions
    from app.reception import forms as reception
    from app.stats import forms as stats_forms

    action_forms = {"transfer": workbench.TransferForm, "request_apology": workbench.ApologyForm}
    back = [FieldSpec("next", "next", "redirect")]

    def same(*classes):
        return lambda args: [f for c in classes for f in form_fields(c)]

    return {
        # endpoint -> (url arguments -> the fields its POST reads)
        "auth.login": same(auth.LoginForm),
        "auth.register": same(auth.RegisterForm),
        "auth.forgot_password": same(auth.ForgotPasswordForm),
        "auth.reset_password": same(auth.ResetPasswordForm),
        "auth.change_password": same(auth.ChangePasswordForm),
        "auth.logout": same(),
        "admin.new_unit": same(admin.UnitForm),
        "admin.edit_unit": same(admin.UnitNamesForm),
        "admin.new_department": same(admin.DepartmentForm),
        "admin.edit_department": same(admin.DepartmentForm),
        "admin.new_officer": same(admin.OfficerForm),
        "admin.new_membership": same(admin.NewSeatForm),
        "admin.edit_membership": same(admin.SeatForm),
        "admin.toggle_duty": lambda args: back,
        "admin.remove_membership": lambda args: back,
        "admin.new_rule": same(admin.RuleForm),
        "admin.edit_rule": same(admin.RuleForm),
        "admin.toggle_rule": lambda args: back,
        "admin.calendar": same(admin.CalendarDayForm),
        "admin.delete_calendar_day": lambda args: back,
        "workbench.act": lambda args: form_fields(
            action_forms.get(args.get("action"), workbench.ActionForm), str(args.get("action"))),
        "workbench.release": lambda args: form_fields(workbench.ReleaseForm, "release"),
        "workbench.reassign_case": lambda args: form_fields(workbench.ReassignForm, "reassign"),
        "workbench.claim_next": same(workbench.ClaimForm),
        "admin.retry_outbox_message": same(),
        "dossiers.track": same(dossier_forms.TrackForm),
        "desk.walk_in": same(dossier_forms.WalkInForm),
        "dossiers.withdraw": same(dossier_forms.WithdrawForm),
        "dossiers.rate": same(dossier_forms.RatingForm),
        # The world's procedure has no schema: the applicant part and the two buttons; its
        # document's file field (doc_<id>) gets text, which the form must take as no file.
        "dossiers.start": same(),
        "dossiers.edit_draft": lambda args: form_fields(online_forms.ApplicantForm) + [
            FieldSpec("action", "action", "choice", ("save", "submit"))] + [
            FieldSpec(f"reuse_{d}", "reuse", "int") for d in _draft_documents(args)],
        "dossiers.remove_draft_file": same(online_forms.RemoveFileForm),
        "dossiers.delete_draft": same(),
        "desk.request_fee": same(fee_forms.RequestFeeForm),
        "community.propose": lambda args: form_fields(initiatives.InitiativeForm) + [
            FieldSpec("action", "action", "choice", ("save", "publish"))],
        "community.edit": lambda args: form_fields(initiatives.InitiativeForm) + [
            FieldSpec("action", "action", "choice", ("save", "publish"))],
        "community.publish": same(initiatives.ConfirmForm),
        "community.withdraw": same(initiatives.ConfirmForm),
        "community.support": lambda args: form_fields(initiatives.ConfirmForm) + back,
        "community.answer": same(initiatives.AnswerForm),
        "community.progress": same(initiatives.ProgressForm),
        "community.settings": same(initiatives.SettingsForm),
        "desk.record_payment": same(fee_forms.PaymentForm),
        "desk.result": same(fee_forms.ResultForm),
        "desk.hand_over": same(fee_forms.HandOverForm),
        "dossiers.supplement": same(paper_forms.SupplementForm),
        "dossiers.remove_paper": lambda args: back,
        "desk.add_scans": lambda args: form_fields(paper_forms.ScanForm, "scan"),
        "admin.new_procedure": same(procedures.ProcedureForm),
        "admin.edit_procedure": same(procedures.ProcedureForm),
        "admin.toggle_procedure": lambda args: back,
        "admin.new_procedure_document": same(procedures.DocumentForm),
        "admin.edit_procedure_document": same(procedures.DocumentForm),
        "admin.remove_procedure_document": lambda args: back,
        "admin.move_procedure_document": lambda args: back,
        "admin.new_procedure_field": same(procedures.ProcedureFieldForm),
        "admin.edit_procedure_field": same(procedures.ProcedureFieldForm),
        "api.dossier_status": lambda args: model_fields(api.StatusLookup),
        "community.register_partner": same(partners.PartnerForm),
        "community.verify_partner": same(partners.BackForm),
        "community.refuse_partner": same(partners.RefuseForm),
        "community.pledge": same(partners.PledgeForm),
        "community.deliver_pledge": same(partners.BackForm),
        "community.cancel_pledge": same(partners.BackForm),
        "community.withdraw_pledge": same(partners.BackForm),
        "village.new_need": same(village.NeedForm),
        "village.edit_need": same(village.NeedForm),
        "village.support": same(village.SupportForm),
        "village.volunteer": same(village.VolunteerForm),
        "village.withdraw": same(village.SupportForm),
        "village.post_update": same(village.UpdateForm),
        "village.record_received": same(village.ReceivedForm),
        "village.set_status": same(village.StatusForm),
        "village.ask_for_help": same(village.AskForHelpForm),
        "village.heads": same(village.HeadForm),
        "village.remove_head": lambda args: back,
        "community.add_comment": same(moderation_forms.CommentForm),
        "community.flag": same(moderation_forms.FlagForm),
        "community.moderation_restore": same(moderation_forms.DecisionForm),
        "community.moderation_remove": same(moderation_forms.DecisionForm),
        # Desk appointments: the booking form's procedure and day are hidden fields; the fuzz
        # world's procedure and a day ahead make a booking that can succeed.
        "appointments.book": lambda args: [
            FieldSpec("procedure_id", "booking_procedure", "int"),
            FieldSpec("day", "booking_day", "text"), FieldSpec("slot", "slot", "text")],
        "appointments.cancel": same(appointments.ConfirmForm),
        "appointments.add_opening": same(appointments.OpeningForm),
        "appointments.remove_opening": same(appointments.ConfirmForm),
        "appointments.add_closure": same(appointments.ClosureForm),
        "appointments.remove_closure": same(appointments.ConfirmForm),
        "appointments.mark_arrived": same(appointments.ConfirmForm),
        "appointments.mark_no_show": same(appointments.ConfirmForm),
        "village.new_announcement": same(notices.AnnouncementForm),
        "village.edit_announcement": same(notices.AnnouncementForm),
        "village.withdraw_announcement": same(notices.ConfirmForm),
        "village.new_alert": same(notices.AlertForm),
        "village.withdraw_alert": same(notices.ConfirmForm),
        "village.subscription": same(notices.SubscriptionForm),
        "village.stop_subscription": same(notices.ConfirmForm),
        "village.unsubscribe": same(notices.ConfirmForm),
        "village.unsubscribe_one_click": lambda args: [
            FieldSpec("List-Unsubscribe", "List-Unsubscribe", "choice", ("One-Click",))],
        # Field reports and Open311 (issue 10).
        "reports.new": lambda args: _report_fields(report_forms.ReportForm),
        "reports.support": lambda args: form_fields(report_forms.SupportForm) + back,
        "reports.rate": same(report_forms.RatingForm),
        "reports.answer": same(report_forms.AnswerForm),
        "reports.merge": same(report_forms.MergeForm),
        "admin.new_report_category": same(report_forms.CategoryForm),
        "admin.edit_report_category": same(report_forms.CategoryForm),
        "admin.toggle_report_category": lambda args: back,
        "admin.new_report_attribute": same(report_forms.AttributeForm),
        "admin.edit_report_attribute": same(report_forms.AttributeForm),
        "admin.remove_report_attribute": same(),
        "admin.save_report_route": lambda args: form_fields(report_forms.RouteForm, "route"),
        "admin.remove_report_route": same(),
        "admin.api_keys": same(report_forms.ApiKeyForm),
        "admin.revoke_api_key": same(),
        "open311.create_request": lambda args: OPEN311_POST,
        "petitions.ask": same(petitions.AskForm),
        "petitions.lookup": same(petitions.LookupForm),
        "petitions.rate": same(petitions.RateForm),
        "petitions.answer": same(petitions.AnswerForm),
        "petitions.moderate": same(petitions.ModerateForm),
        "petitions.new_topic": same(petitions.TopicForm),
        "petitions.edit_topic": same(petitions.TopicForm),
        "petitions.new_meeting": same(petitions.MeetingForm),
        "petitions.add_voter_petition": same(petitions.VoterPetitionForm),
        "petitions.publish_sheet": same(petitions.ConfirmForm),
        "reception.register": same(reception.RegisterForm),
        "reception.new_session": same(reception.SessionForm),
        "reception.add_record": same(reception.RecordForm),
        "stats.scorecard_entry": same(stats_forms.ScorecardEntryForm),
    }


def _report_fields(form_class) -> list[FieldSpec]:
    """The report form, with the category a real report sends, and the world's category's
    question (its answer is read from the request by its code, not a WTForms field)."""
    specs = [FieldSpec("category", "report_category", "choice", ("cay-do",))
             if f.name == "category" else f for f in form_fields(form_class)]
    return specs + [FieldSpec("attribute-blocking", "attribute_blocking", "choice",
                              ("co", "khong"))]


OPEN311_POST = [FieldSpec(name, name.replace("[", "_").replace("]", ""), kind, choices)
                for name, kind, choices in (
                    ("api_key", "text", ()), ("service_code", "choice", ("cay-do",)),
                    ("jurisdiction_id", "text", ()), ("address_id", "text", ()),
                    ("lat", "text", ()), ("long", "text", ()), ("address_string", "text", ()),
                    ("description", "text", ()), ("first_name", "text", ()),
                    ("last_name", "text", ()), ("email", "text", ()), ("phone", "text", ()),
                    ("attribute[blocking]", "choice", ("co", "khong")), ("lang", "choice",
                                                                          ("vi", "en")))]


def _draft_documents(args: dict) -> list[int]:
    """The documents of the draft the URL names (the world's draft: one), whose "reuse_<id>"
    choice of a paper the online form reads; none for a hostile draft id. Read outside any
    request, like `fingerprint`."""
    from sqlalchemy import select

    from app.extensions import db
    from app.inputs import parse_id
    from app.models import DossierDraft, ProcedureDocument

    try:
        draft_id = parse_id(args.get("draft_id"))
    except ValueError:
        return []
    with db.engine.connect() as conn:
        ids = list(conn.scalars(select(ProcedureDocument.id).join(
            DossierDraft, DossierDraft.procedure_id == ProcedureDocument.procedure_id)
            .where(DossierDraft.id == draft_id).order_by(ProcedureDocument.id)))
        conn.rollback()
    return ids


def _queries():
    from app.admin import forms as admin, procedure_forms as procedures
    from app.api import schemas as api
    from app.dossiers import printouts
    from app.procedures import forms as catalogue
    from app.workbench import forms as workbench
    from app.stats import forms as stats

    def page(*names):
        return [FieldSpec(n, n, "int" if n in ("page", "unit", "parent") else "text")
                for n in names]

    return {
        # endpoint -> the query parameters its GET reads (every GET also gets `page` and junk)
        "auth.login": [FieldSpec("next", "next", "redirect")],
        "workbench.queue": form_fields(workbench.QueueFilterForm),
        "admin.rules": form_fields(admin.RuleFilterForm) + page("page"),
        "admin.units": page("page"),
        "admin.departments": page("page", "unit"),
        "admin.officers": page("page", "q"),
        "admin.calendar": page("page"),
        "admin.new_unit": page("parent"),
        "admin.new_department": page("unit"),
        "admin.procedures": form_fields(procedures.ProcedureFilterForm) + page("page"),
        "admin.outbox": page("page", "status"),
        "procedures.catalogue": form_fields(catalogue.CatalogueSearchForm) + page("page"),
        "desk.walk_in": page("procedure"),
        "desk.log_book": form_fields(printouts.LogBookForm) + page("page"),
        "desk.log_book_csv": form_fields(printouts.LogBookForm),
        "dossiers.track": page("code"),
        "api.procedures": model_fields(api.CatalogueQuery),
        "api.procedure": model_fields(api.LangQuery),
        "api.fields": model_fields(api.LangQuery),
        "community.comments": [FieldSpec("target_type", "target_type", "choice",
                                         ("initiative", "village_need")),
                               FieldSpec("target_id", "target_id", "int")] + page("page"),
        "community.moderation_log": page("page"),
        "appointments.book": [FieldSpec("procedure", "procedure", "text"),
                              FieldSpec("day", "booking_day", "text")],
        "appointments.desk_home": [FieldSpec("commune", "commune", "int")],
        "appointments.day_list": [FieldSpec("day", "booking_day", "text")],
        "community.moderation": page("page"),
        "community.initiatives": [
            FieldSpec("q", "q", "text"), FieldSpec("commune", "commune", "int"),
            FieldSpec("village", "village", "int"),
            FieldSpec("sort", "sort", "choice", ("newest", "supported", "closing",
                                                 "answered"))] + page("page"),
        "village.board": [
            FieldSpec("q", "q", "text"), FieldSpec("commune", "commune", "int"),
            FieldSpec("village", "village", "int"),
            FieldSpec("status", "status", "choice", ("open", "met", "closed")),
            FieldSpec("sort", "sort", "choice", ("newest", "supported", "closing"))]
        + page("page"),
        "village.announcements": page("q", "page") + [
            FieldSpec("commune", "commune", "int"), FieldSpec("village", "village", "int"),
            FieldSpec("category", "category", "choice", ("meeting", "power_cut")),
            FieldSpec("period", "period", "choice", ("current", "past", "all"))],
        "village.manage": page("page") + [
            FieldSpec("status", "status", "choice", ("published", "withdrawn", "all"))],
        "reports.index": [FieldSpec("q", "q", "text"), FieldSpec("commune", "unit", "int"),
                          FieldSpec("village", "village_id", "int"),
                          FieldSpec("category", "report_category", "choice", ("cay-do",)),
                          FieldSpec("state", "report_state", "choice",
                                    ("received", "fixed", "duplicate"))] + page("page"),
        "reports.new": [FieldSpec("category", "report_category", "choice", ("cay-do",)),
                        FieldSpec("commune_id", "commune_id", "int"),
                        FieldSpec("village_id", "village_id", "int"),
                        FieldSpec("address", "address", "text"), FieldSpec("lat", "lat", "text"),
                        FieldSpec("long", "long", "text")],
        "open311.requests": [FieldSpec(n, n, "text") for n in (
            "service_request_id", "service_code", "start_date", "end_date", "jurisdiction_id")]
        + [FieldSpec("status", "open311_status", "choice", ("open", "closed")),
           FieldSpec("lang", "lang", "choice", ("vi", "en"))],
        "petitions.index": page("page", "q", "topic", "agency"),
        "petitions.ask": page("procedure"),
        "reception.schedule": page("page", "when"),
        "api.questions": _question_query(),
        # Issue 12: the statistics' filters (codes, periods), the dashboard's, the scorecard's.
        "stats.overview": form_fields(stats.StatsFilterForm),
        "stats.export_csv": form_fields(stats.StatsFilterForm) + [
            FieldSpec("table", "table", "choice", ("summary", "breakdown", "months",
                                                   "satisfaction", "kinds"))],
        "stats.dashboard": form_fields(stats.DashboardForm),
        "stats.dashboard_cases": form_fields(stats.CaseListForm) + page("page"),
        "stats.scorecard": form_fields(stats.ScorecardViewForm),
        "stats.scorecard_commune": form_fields(stats.ScorecardViewForm) + page("commune"),
    }


def _question_query():
    from app.api import questions

    return model_fields(questions.QuestionQuery)


# Public forms that send a signed-in person away at once: their form is for visitors.
FAVOURED_ROLES = {"auth.login": ["anonymous"], "auth.register": ["anonymous"],
                  "auth.forgot_password": ["anonymous"], "auth.reset_password": ["anonymous"]}

POST_FORMS: dict[str, Callable[[dict], list[FieldSpec]]] = {}
GET_QUERIES: dict[str, list[FieldSpec]] = {}


def load_tables() -> None:
    if not POST_FORMS:
        POST_FORMS.update(_forms())
        GET_QUERIES.update(_queries())


def query_fields(endpoint: str) -> list[FieldSpec]:
    """The filters a GET reads, and `page`, which any list might read."""
    specs = GET_QUERIES.get(endpoint, [])
    if not any(s.name == "page" for s in specs):
        specs = specs + [FieldSpec("page", "page", "int")]
    return specs


# --- plausible values (a submission that could pass) ------------------------------------------

def plausible(world: World) -> dict[str, object]:
    return {
        "identifier": world.logins["admin"], "password": PASSWORD,
        "current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD,
        "remember": "y", "full_name": "Nguyễn Văn Thử", "phone": "0987654321",
        "email": "thu.nghiem@example.vn", "commune_id": world.commune_id,
        "village_id": world.village_id, "locale": "vi", "code": "TX-1", "name_vi": "Tên thử",
        "name_en": "Test name", "level": "village", "parent_id": world.commune_id,
        "unit_id": world.commune_id, "case_types": "dossier",
        "leader_id": world.user_ids["leader"], "active": "y", "role": "officer",
        "desk": "specialist", "skills": "civil_status", "on_duty": "y",
        "leave_from": "2026-12-01", "leave_until": "2026-12-04",
        "department_id": world.dept_b_id, "case_type": "dossier", "procedure_id": "",
        "category": "civil_status", "mode": "assign", "day": "2026-12-29", "kind": "holiday",
        "note": "Ghi chú của cán bộ", "to_department_id": world.dept_b_id,
        "new_due_date": "2026-12-31", "version": "CURRENT",
        "officer_id": world.user_ids["leader"], "next": "/vi/admin/", "page": "2",
        "state": "4", "band": "overdue", "q": "T-0", "assignment": "mine",
        "unit": world.commune_id, "parent": world.commune_id, "status": "active",
        "department": world.dept_a_id, "applicant_name": "Nguyễn Văn Thử",
        "applicant_phone": "0912345678", "action": "save",
        "name": "Hợp tác xã Thử", "contact_phone": "024 3825 1234", "quantity": "1.500.000",
        "reason": "Không tìm thấy tổ chức này", "partner_id": world.partner_id, "need_id": "0",
        # Desk appointments: a booking three days ahead at 08:00 (a weekday or not: both
        # paths are worth probing), the weekly hours' and closures' fields.
        "booking_procedure": world.procedure_id, "procedure": world.procedure_code,
        "booking_day": (date.today() + timedelta(days=3)).isoformat(), "slot": "08:00",
        "weekdays": "2", "opens": "13:30", "closes": "16:30", "length": "30", "capacity": "3",
        "closed_from": "07:30", "closed_until": "09:00", "commune": world.commune_id,
        # Village notices: a place and alert areas of the world's commune, bilingual text,
        # an alert ending tomorrow (local time), a subscription.
        "place": f"village:{world.village_id}", "areas": f"commune:{world.commune_id}",
        "title_vi": "Họp thôn", "body_vi": "Họp lúc 19 giờ.", "title_en": "", "body_en": "",
        "valid_from": date.today().isoformat(), "valid_until": "", "hazard": "flood",
        "severity": "warning", "expires_at": (datetime.now() + timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M"), "scope": "commune", "announcements": "each",
        "categories": "meeting", "alerts": "y", "List-Unsubscribe": "One-Click",
        # Field reports and Open311 (issue 10).
        "report_category": "cay-do", "report_state": "received", "lat": "21.5862",
        "long": "105.8141", "address": "Cạnh cầu tre", "description": "Cây đổ chắn đường.",
        "attribute_blocking": "co", "outcome": "closed", "text": "Đã dọn cây.",
        "candidate": world.report_code, "other_code": world.report_code,
        "datatype": "string", "description_vi": "Câu hỏi thử", "description_en": "Test question",
        "choices": "co | Có | Yes\nkhong | Không | No", "sla_days": "3", "position": "1",
        "keywords": "cây, tree", "group_vi": "Môi trường", "group_en": "Environment",
        "api_key": world.api_key, "service_code": "cay-do", "open311_status": "open",
        "jurisdiction_id": world.commune_code,
        "address_id": "", "address_string": "Cạnh cầu tre", "first_name": "Bình",
        "last_name": "Nguyễn", "lang": "vi",
        "service_request_id": world.report_code, "start_date": "2026-11-01T00:00:00Z",
        "end_date": "2026-12-01T00:00:00Z",
        # Petitions, voters' meetings and reception (issue 11).
        "topic_id": world.topic_id, "title": "Hỏi về đăng ký khai sinh",
        "body": "Con tôi sinh được 70 ngày, có bị phạt không?", "asker_name": "Nguyễn Văn Thử",
        "asker_phone": "0912345678", "asker_email": "thu@example.vn", "public": "y",
        "answer": "Không bị phạt.", "decision": "release", "comment": "Rõ ràng.",
        "sla_days": "10", "held_on": "2026-11-02", "place": "Nhà văn hóa thôn",
        "deputies": "Ông Nguyễn Văn Bình", "raised_by": "Ông Lò Văn Pả",
        "starts_at": "08:00", "ends_at": "11:00", "receiver": "Chủ tịch UBND xã",
        "topics_vi": "Đất đai", "topics_en": "Land", "capacity": "20",
        "topic": "Tranh chấp đất", "citizen_name": "Lò Thị Mai", "citizen_phone": "0912345678",
        "citizen_id_number": "001090012345", "content": "Hỏi về trợ cấp.",
        "response": "Đã giải thích.", "make_petition": "", "subject": "Trợ cấp",
        "registration_id": "0",
        # Issue 12: a period of the statistics, a scorecard figure.
        "period": "year", "year": "2026", "month": "4", "quarter": "2", "table": "summary",
        "date_from": "2026-04-01", "date_to": "2026-04-30", "indicator": "broadband_households",
        "value": "87,5", "source": "Báo cáo của VNPT", "as_of": "2026-06-30",
        "commune": world.commune_id, "officer": world.user_ids["officer_same_dept"],
        "group": "in_progress", "order": "oldest", "waiting": "approval",
    }


def _hostile(spec: FieldSpec) -> st.SearchStrategy[str]:
    free_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
    text_values = st.one_of(st.sampled_from(TEXT_HOSTILE), free_text)
    if spec.kind == "int":
        return st.one_of(st.sampled_from(INT_HOSTILE),
                         st.integers(min_value=-(2 ** 70), max_value=2 ** 70).map(str))
    if spec.kind == "date":
        return st.one_of(st.sampled_from(DATE_HOSTILE),
                         st.dates().map(lambda d: d.strftime(st_choice_format(d))),
                         st.tuples(st.integers(0, 99999), st.integers(0, 99), st.integers(0, 99))
                         .map(lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"))
    if spec.kind == "version":
        return st.sampled_from(VERSION_HOSTILE)
    if spec.kind == "bool":
        return st.sampled_from(BOOL_HOSTILE)
    if spec.kind == "redirect":
        return st.one_of(st.sampled_from(REDIRECT_HOSTILE), text_values)
    if spec.kind in ("choice", "multi") and spec.choices:
        return st.one_of(st.sampled_from([str(c) for c in spec.choices]), text_values)
    return text_values


def st_choice_format(day) -> str:
    return "%Y-%m-%d" if day.toordinal() % 2 else "%d/%m/%Y"


HOW = ["hostile", "missing", "repeated", "plausible+hostile", "spliced"]


def _field_values(spec: FieldSpec, plausible_value, how: str) -> st.SearchStrategy[list[str]]:
    """What a request sends for one field: nothing, one value or several."""
    good = "" if plausible_value is None else str(plausible_value)
    if how == "missing":
        return st.just([])
    if how == "plausible":
        return st.just([good])
    bad = _hostile(spec)
    if how == "hostile":
        return bad.map(lambda b: [b])
    if how == "plausible+hostile":
        return bad.map(lambda b: [good + b])
    if how == "spliced":  # inside the value, where a prefix or suffix check does not look
        return bad.map(lambda b: [good[:len(good) // 2] + b + good[len(good) // 2:]])
    return st.tuples(bad, st.booleans()).map(lambda t: [good, t[0]] if t[1] else [t[0], good])


@st.composite
def field_set(draw, specs: list[FieldSpec], world: World) -> list[tuple[str, str]]:
    """Either one field spoiled and the rest plausible (so the spoiled value reaches the
    service and the database), or every field spoiled or not at random."""
    values = plausible(world)
    # Values that must be unique (a second registration with one phone stops at "taken").
    n = draw(st.integers(0, 10 ** 8 - 1))
    values.update(phone=f"098{n:07d}"[:10], email=f"fuzz{n}@example.vn", code=f"TX-{n}")
    # Log in (or ask for a reset) by phone or by e-mail: each takes its own path to the query.
    values["identifier"] = draw(st.sampled_from([world.logins["resident"], world.logins["admin"]]))
    if not specs:
        return []
    one = not draw(st.booleans())  # shrinks towards one spoiled field
    spoiled = draw(st.sampled_from(specs)) if one else None
    pairs: list[tuple[str, str]] = []
    for spec in specs:
        if one:
            how = draw(st.sampled_from(HOW)) if spec is spoiled else "plausible"
        else:
            how = draw(st.sampled_from(["plausible"] + HOW))
        for value in draw(_field_values(spec, values.get(spec.base), how)):  # noqa: B023
            pairs.append((spec.name, value))
    if draw(st.integers(0, 9)) == 9:
        pairs.append((draw(st.sampled_from(["extra", "id", "role", "csrf_token", "\x00"])),
                      draw(st.sampled_from(TEXT_HOSTILE))))
    return pairs


# --- one request -----------------------------------------------------------------------------

@dataclass
class CaseSetup:
    """A fresh case of department A for this example, so one example's change cannot starve
    the next of a case to act on."""

    state: int
    holder: str | None
    pending_approval: bool
    apology_requested: bool
    apology_approved: bool


@dataclass
class Probe:
    role: str
    lang: str
    method: str
    url_args: dict[str, str]
    query: list[tuple[str, str]] = field(default_factory=list)
    form: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    case: CaseSetup | None = None


_ARG = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")


def _url_arg(converter: str | None, name: str, world: World) -> st.SearchStrategy[str]:
    args = world.url_args("")
    if name == "lang_code":
        return st.just("LANG")
    if name == "case_id":
        good = st.sampled_from(["CASE", str(world.case_id), str(world.apology_case_id),
                                str(world.report_id)])
    elif name == "action":
        from app.queue.states import Action

        good = st.sampled_from([a.value for a in Action])
    elif name == "filename":
        good = st.sampled_from(["css/app.css", "js/app.js"])
    elif name == "token":
        good = st.just("not-a-real-token")
    else:
        good = st.just(str(args[name]))
    bad = st.sampled_from(URL_INT_HOSTILE if converter == "int" else URL_TEXT_HOSTILE)
    return st.one_of(good, good, bad)


def probe_strategy(app, endpoint: str, world: World) -> st.SearchStrategy[Probe]:
    load_tables()
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    converters = {name: conv for conv, name in _ARG.findall(rule.rule)}
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    let_in = roles_let_in(endpoint)
    # Mostly the roles the gate lets in (that is where the bugs live), sometimes anyone.
    role_pool = let_in * 3 + [r for r in ROLES if r not in let_in] if let_in else list(ROLES)
    role_pool = FAVOURED_ROLES.get(endpoint, []) * 6 + role_pool
    values = plausible(world)
    query_specs = query_fields(endpoint)

    @st.composite
    def probe(draw) -> Probe:
        url_args = {name: draw(_url_arg(conv or None, name, world))
                    for name, conv in converters.items()}
        method = draw(st.sampled_from(methods))
        p = Probe(role=draw(st.sampled_from(role_pool)), lang=draw(st.sampled_from(["vi", "en"])),
                  method=method, url_args=url_args)
        if method == "GET":
            p.query = draw(field_set(query_specs, world)) if draw(st.booleans()) else []
        else:
            p.form = draw(field_set(POST_FORMS[endpoint](url_args), world))
            if endpoint == "auth.login" and draw(st.booleans()):
                p.query = [("next", draw(st.one_of(st.just(values["next"]),
                                                   st.sampled_from(REDIRECT_HOSTILE))))]
        if draw(st.integers(0, 3)) == 3:
            p.headers["HX-Request"] = "true"
        if draw(st.integers(0, 5)) == 5:
            p.headers["Accept-Language"] = draw(st.sampled_from(HEADER_HOSTILE))
        if "case_id" in converters:
            p.case = CaseSetup(
                state=draw(st.sampled_from([4, 1, 2, 5, 6, 9, 3, 7, 8, 10])),
                holder=draw(st.sampled_from(["officer_same_dept", None, "leader",
                                             "officer_other_dept"])),
                pending_approval=draw(st.booleans()), apology_requested=draw(st.booleans()),
                apology_approved=draw(st.booleans()))
        return p

    return probe()


def build_url(rule_text: str, url_args: dict[str, str], lang: str) -> str:
    def replace(match):
        converter, name = match.group(1), match.group(2)
        value = lang if name == "lang_code" else url_args[name]
        return quote(value, safe="/" if converter == "path" else "")

    return _ARG.sub(replace, rule_text)


# --- judging the answer ---------------------------------------------------------------------

class ServerErrors(logging.Handler):
    """Keeps the exceptions the app logs while answering, to show them in a failure."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def summary(self) -> str:
        lines = []
        for record in self.records:
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                frames = traceback.extract_tb(record.exc_info[2])
                ours = [f for f in frames
                        if "/app/" in f.filename and "site-packages" not in f.filename]
                shown = (ours[-2:] or frames[-1:]) + frames[-1:]
                where = " -> ".join(dict.fromkeys(
                    f"{f.filename.split('/site-packages/')[-1].split('/wt-fuzz/')[-1]}:{f.lineno}"
                    f" {f.name}" for f in shown))
                message = str(exc).split("\n")[0][:200]
                lines.append(f"    {type(exc).__name__}: {message}\n      at {where}")
            else:
                lines.append(f"    {record.getMessage()[:300]}")
        return "\n".join(lines)


class ProbeFailure(AssertionError):
    """What went wrong (`problem`), the request that did it, and the server's exception."""

    def __init__(self, problem: str, request: str, cause: str = ""):
        self.problem, self.request, self.cause = problem, request, cause
        super().__init__("\n".join(part for part in (problem, request, cause) if part))

    @property
    def kind(self) -> str:
        """The same problem from the same place, whatever the values: for grouping."""
        return re.sub(r"\d{5,}", "N", f"{self.problem}\n{self.cause}".rstrip())


def short(value: str, limit: int = 60) -> str:
    if len(value) > limit:
        return f"{value[:limit // 3]!r}…({len(value)} chars)"
    return repr(value)


_FINGERPRINT_SQL: dict[tuple, str] = {}


def _fingerprint_sql(engine, tables) -> str:
    """One statement that reads every row of every table as text: one round trip, where a
    SELECT per table cost about eighty (on PostgreSQL most of a probe's time)."""
    key = (engine.dialect.name, tuple(tables))
    if key not in _FINGERPRINT_SQL:
        from app.models.base import Base

        if engine.dialect.name == "postgresql":
            parts = [f"SELECT '{t}' AS t, CAST(x AS TEXT) AS r FROM \"{t}\" AS x" for t in tables]
        else:  # SQLite has no row type: quote() each column, NULL and '' told apart
            parts = [f"SELECT '{t}' AS t, "
                     + " || ',' || ".join(f'quote("{c.name}")'
                                          for c in Base.metadata.tables[t].columns)
                     + f' AS r FROM "{t}"' for t in tables]
        _FINGERPRINT_SQL[key] = " UNION ALL ".join(parts)
    return _FINGERPRINT_SQL[key]


def fingerprint(engine, tables) -> dict[str, list[str]]:
    """Every row of every table (the fuzz world is small), read outside any request."""
    snapshot: dict[str, list[str]] = {table: [] for table in tables}
    with engine.connect() as conn:
        for table, row in conn.execute(text(_fingerprint_sql(engine, tables))):
            snapshot[table].append(row)
        conn.rollback()
    return {table: sorted(rows) for table, rows in snapshot.items()}


def changed_tables(before, after) -> list[str]:
    changes = []
    for table in before:
        if before[table] != after[table]:
            gone = len(set(before[table]) - set(after[table]))
            new = len(set(after[table]) - set(before[table]))
            changes.append(f"{table} (-{gone} +{new} rows)")
    return changes


def says_nothing_saved(method: str, response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    if method == "POST" and response.status_code == 200 and response.page is not None:
        return bool(response.page.select(".error-summary, .error-message, .flash-error"))
    return False


# --- the sweep: each field, alone, with one value of each hostile kind -------------------------

SWEEP = {
    "text": ["SPLICE:\x00", "SUFFIX:\x01\x1f\x7f", "SUFFIX:\u202e\u200b", BIG, "  "],
    "int": ["18446744073709551616", "9223372036854775808", "2147483648", "-1", "²", "١٢", "1.5",
            ""],
    "date": ["2026-02-30", "0000-01-01", "99999-01-01", "0001-01-01", "9999-12-31", "٢٠٢٦-٠١-٠١",
             ""],
    "version": ["STALE", "²", "١", "", "18446744073709551616", "9223372036854775808"],
    "bool": ["\x00", BIG],
    "choice": ["SPLICE:\x00", BIG, ""],
    "multi": ["SPLICE:\x00", BIG, ""],
    "redirect": REDIRECT_HOSTILE,
}
SWEEP_ROLE = {"workbench.reassign_case": "leader"}
SWEEP_PREFERENCE = ("officer_same_dept", "leader", "admin", "resident", "anonymous")
SWEEP_ACTIONS = ("request_supplement", "transfer", "request_apology", "complete")
MISSING = object()


def _apply(token: str, good: str):
    if token is MISSING:
        return []
    if token.startswith("SPLICE:"):
        bad = token[len("SPLICE:"):]
        return [good[:len(good) // 2] + bad + good[len(good) // 2:]]
    if token.startswith("SUFFIX:"):
        return [good + token[len("SUFFIX:"):]]
    return [token]


def sweep_probes(app, endpoint: str, world: World) -> list[Probe]:
    """Deterministic probes: every URL argument, query parameter and form field of the route,
    one at a time, with one value of each hostile kind, the rest plausible."""
    load_tables()
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    converters = {name: conv for conv, name in _ARG.findall(rule.rule)}
    let_in = roles_let_in(endpoint)
    favoured = FAVOURED_ROLES.get(endpoint, [])
    role = SWEEP_ROLE.get(endpoint) or (favoured[0] if favoured else next(
        (r for r in SWEEP_PREFERENCE if r in let_in), "anonymous"))
    values = plausible(world)
    base_args = {"lang_code": "LANG", "case_id": "CASE", "action": "request_supplement",
                 "filename": "css/app.css", "token": "not-a-real-token"}
    for name in converters:
        base_args.setdefault(name, str(world.url_args(endpoint).get(name, "")))
    if endpoint in ("reports.answer", "reports.merge"):  # pages for field-report cases only
        base_args["case_id"] = str(world.report_id)
    setup = CaseSetup(state=4, holder="officer_same_dept", pending_approval=False,
                      apology_requested=False, apology_approved=False)
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    probes: list[Probe] = []

    def add(method, url_args, query=(), form=()):
        lang = "vi" if len(probes) % 2 == 0 else "en"
        probes.append(Probe(role=role, lang=lang, method=method, url_args=dict(url_args),
                            query=list(query), form=list(form),
                            case=setup if "case_id" in converters else None))

    serial = iter(range(10 ** 6))

    def unique():
        # A second registration with one phone stops at "taken", before the database.
        n = next(serial)
        values.update(phone=f"097{n:07d}", email=f"sweep{n}@example.vn", code=f"SW-{n}")

    def plausible_pairs(specs):
        unique()
        return [(s.name, str(values.get(s.base, ""))) for s in specs]

    def spoil(specs, spec, token):
        unique()
        pairs = []
        for s in specs:
            good = str(values.get(s.base, ""))
            pairs += [(s.name, v) for v in (_apply(token, good) if s is spec else [good])]
        return pairs

    for name, conv in converters.items():
        if name == "lang_code":
            continue
        for bad in (URL_INT_HOSTILE if conv == "int" else URL_TEXT_HOSTILE):
            add(methods[0], {**base_args, name: bad})
    actions = SWEEP_ACTIONS if endpoint == "workbench.act" else (base_args["action"],)
    for method in methods:
        if method == "GET":
            specs = query_fields(endpoint)
            for spec in specs:
                for token in SWEEP[spec.kind]:
                    add("GET", base_args, query=spoil(specs, spec, token))
            continue
        for action in actions:
            args = {**base_args, "action": action}
            specs = POST_FORMS[endpoint](args)
            extra_query = []
            if endpoint == "auth.login":  # where the login page sends you next
                for token in REDIRECT_HOSTILE:
                    add("POST", args, query=[("next", token)], form=plausible_pairs(specs))
            add("POST", args, query=extra_query, form=plausible_pairs(specs))
            for spec in specs:
                for token in SWEEP[spec.kind] + [MISSING]:
                    add("POST", args, form=spoil(specs, spec, token))
                good = str(values.get(spec.base, ""))
                add("POST", args, form=plausible_pairs(specs) + [(spec.name, BIG if good else "x")])
    return probes
