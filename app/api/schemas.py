"""What the JSON API accepts and answers, as pydantic models.

These models are the single source of truth twice over: spectree validates every request
against them before a view runs (app/api/routes.py), and generates /api/v1/openapi.json
(OpenAPI 3.1, whose schemas are JSON Schema 2020-12, pydantic's own dialect) from the same
classes, so the document cannot drift from what the code accepts.

Input strings follow the portal's input rules (app/inputs.py): a control character, a
bidirectional override or a lone surrogate is refused, zero-width characters are removed and
the text is put in NFC, as the forms do. Numbers are bounded, so a 40-digit page number is a
400 naming the field, never an overflow.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from app.inputs import bad_character, clean_text
from app.input_guard import MAX_PAGE

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
Lang = Literal["vi", "en"]
Channel = Literal["in_person", "online", "post"]


def _text(value: str) -> str:
    if bad_character(value) is not None:
        raise ValueError("contains a character that cannot be used")
    return clean_text(value).strip()


def _ascii_digits(value: object) -> object:
    """Pydantic reads '١٢' (Arabic-Indic digits) as 12 and '1_000' as 1000; a page number in
    a URL is ASCII digits only, as everywhere else in the portal (app/inputs.py)."""
    if isinstance(value, str) and not (value.isascii() and value.strip().isdigit()):
        raise ValueError("must be a whole number written with the digits 0-9")
    return value


Text = Annotated[str, AfterValidator(_text)]
QueryInt = Annotated[int, BeforeValidator(_ascii_digits)]


class Input(BaseModel):
    # Unknown parameters are ignored (a cache-buster, a form's csrf_token), as a browser
    # form would; the value a client sends is never echoed back in an error.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True,
                              hide_input_in_errors=True)


class LangQuery(Input):
    lang: Lang = Field("vi", description="Language of the answer's text: vi (default) or en.")


class CatalogueQuery(LangQuery):
    q: Annotated[Text, Field(max_length=200)] = Field(
        "", description="Words to look for in the code, the names and the field's names; "
                        "accents, case and word order are ignored (`khai sinh` finds "
                        "`Đăng ký khai sinh`).")
    field: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")] | None = Field(
        None, description="Only procedures of this field of law (a code from /api/v1/fields).")
    page: QueryInt = Field(
        1, ge=1, le=MAX_PAGE, description="Page number, from 1; a page past the last answers the last page.")
    size: QueryInt = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Procedures per page, 1 to {MAX_PAGE_SIZE}.")


class StatusLookup(Input):
    """The code printed on the receipt and the applicant's phone or ID number. Sent in the
    body (JSON or form), never in the address: addresses end up in logs."""

    code: Annotated[Text, Field(min_length=1, max_length=40)] = Field(
        description="Dossier code, as on the receipt (e.g. 05600-261123-0001).")
    contact: Annotated[Text, Field(min_length=1, max_length=40)] = Field(
        description="The applicant's mobile phone number or ID number (CCCD/CMND).")


# -- answers ----------------------------------------------------------------------------------

class FieldOut(BaseModel):
    code: str
    name: str


class FieldList(BaseModel):
    lang: Lang
    items: list[FieldOut]


class Fee(BaseModel):
    channel: Channel
    label: str
    amount: int | None = Field(description="Whole VND; 0 is free; null: not offered this way.")
    text: str = Field(description="The amount as people read it (50.000 ₫, Free, Not offered).")


class DocumentOut(BaseModel):
    name: str
    original_or_copy: Literal["original", "copy", "either"]
    copies: int
    upload_required: bool
    template_url: str | None = Field(description="The blank form to download, if there is one.")


class ProcedureSummary(BaseModel):
    code: str
    name: str
    field: FieldOut
    level: Literal["commune", "district", "province"]
    processing_days: int = Field(description="Working days; 0 is the same day.")
    processing_time: str
    online_level: Literal["partial", "full"]
    online_level_label: str
    fees: list[Fee]
    url: str = Field(description="The procedure's page on the portal.")


class ProcedureDetail(ProcedureSummary):
    lang: Lang
    agency: str
    applicants: str
    steps: str
    legal_basis: str
    fee_note: str
    requires_approval: bool
    documents: list[DocumentOut]


class ProcedurePage(BaseModel):
    lang: Lang
    query: str
    field: str | None
    items: list[ProcedureSummary]
    page: int
    pages: int
    size: int
    total: int


class StateOut(BaseModel):
    code: int = Field(description="The national public-service portal's dossier status code.")
    label: str


class TimelineEntryOut(BaseModel):
    state: StateOut
    at: datetime
    note: str | None = Field(description="What the office wrote for the applicant, if anything.")


class ProcedureRef(BaseModel):
    code: str
    name: str


class DossierStatus(BaseModel):
    lang: Lang
    code: str
    procedure: ProcedureRef
    state: StateOut
    status: str = Field(description="Where the dossier is, in plain words.")
    do_now: str = Field(description="What the applicant must do now.")
    received_at: datetime
    appointment_date: date | None = Field(
        description="When the result is due (Vietnam's calendar); null once it no longer "
                    "applies (refused, withdrawn, stopped, handed over).")
    timeline: list[TimelineEntryOut]


class FieldProblem(BaseModel):
    field: str
    problem: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[FieldProblem] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail
