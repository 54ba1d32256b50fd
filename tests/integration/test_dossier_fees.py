"""A dossier's fee (state 6): the officer in charge asks for it on the desk's page, pre-filled
with the procedure's published fee for the dossier's channel; the applicant is told the amount
and how to pay; the officer records the payment with its receipt and processing continues.
The fee row and the state change are one transaction, and bad input saves nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.dossiers import fees
from app.dossiers.services import Submission, submit
from app.models import Case, DossierFee, OutboxMessage, utcnow
from app.queue.actions import perform
from app.queue.calendar import local_day
from app.queue.errors import NotAllowed, StaleCase
from tests.factories import make_department, make_dossier_office, make_officer, make_resident

PASSWORD = "fees-pass-1"
PHONE = "0987654321"


def build_office(session, *, start: bool = True) -> dict:
    """A dossier submitted online by a signed-up resident, received by the desk and (unless
    start=False) being processed by its officer; the procedure costs 50.000 ₫ online."""
    office = make_dossier_office(session)
    commune, procedure = office["commune"], office["procedure"]
    procedure.fee_online, procedure.fee_in_person = 50_000, 40_000
    resident = make_resident(session, password=PASSWORD, phone="0912000333")
    stranger = make_resident(session, password=PASSWORD)
    intake = make_officer(session, office["dept"], desk="intake", skills=["civil_status"],
                          password=PASSWORD)
    officer = make_officer(session, office["dept"], skills=["civil_status"], password=PASSWORD)
    other = make_officer(session, make_department(session, commune), skills=["civil_status"],
                         password=PASSWORD)
    session.commit()
    dossier = submit(session, Submission(
        procedure_id=procedure.id, unit_id=commune.id, applicant_name="Trần Thị Mai",
        applicant_phone=PHONE, applicant_user_id=resident.id))
    perform(session, dossier.case_id, "receive", intake)
    case = session.get(Case, dossier.case_id)
    case.assignee_id = officer.id
    session.commit()
    if start:
        perform(session, case.id, "start", officer)
    return {"case": session.get(Case, case.id), "resident": resident, "stranger": stranger,
            "intake": intake, "officer": officer, "other": other, "procedure": procedure}


@pytest.fixture
def office(session):
    return build_office(session)


def login(client, user, lang="vi"):
    identifier = user.email or user.phone
    assert client.login(identifier, PASSWORD, lang=lang).status_code == 302


def fee_url(case, lang="vi"):
    return f"/{lang}/workbench/desk/cases/{case.id}/fee"


def pay_url(case, lang="vi"):
    return f"/{lang}/workbench/desk/cases/{case.id}/payment"


def ask(client, case, lang="vi", **data):
    values = {"version": str(case.version), "amount": "50.000", "reason": ""}
    values.update(data)
    return client.submit(fee_url(case, lang), values)


def fee_count(session):
    return session.scalar(select(func.count(DossierFee.id)))


def messages_to(session, user):
    return session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                           .order_by(OutboxMessage.id)).all()


def state_of(session, case):
    session.expire_all()
    return session.get(Case, case.id).state


def test_the_case_page_links_to_the_fee_page_instead_of_a_note_form(client, office):
    login(client, office["officer"])
    page = client.get(f"/vi/workbench/cases/{office['case'].id}").page
    assert page.select_one(f"a[href='{fee_url(office['case'])}']")
    assert not page.select_one("form[action$='/actions/request_fees']")
    refused = client.post(f"/vi/workbench/cases/{office['case'].id}/actions/request_fees",
                          data={"csrf_token": client.csrf_token(fee_url(office["case"])),
                                "request_fees-version": office["case"].version})
    assert refused.status_code == 404


def test_the_officer_asks_for_the_published_fee_and_the_applicant_is_told(client, office, session):
    case, resident = office["case"], office["resident"]
    login(client, office["officer"], lang="en")
    form = client.get(fee_url(case, "en")).page
    assert form.select_one("#amount")["value"] == "50000"
    assert "50.000 ₫" in form.get_text()
    before = len(messages_to(session, resident))
    response = ask(client, case, "en")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/workbench/cases/{case.id}")
    assert state_of(session, case) == 6
    fee = session.scalar(select(DossierFee))
    assert (fee.amount, fee.table_amount, fee.reason) == (50_000, 50_000, None)
    assert fee.requested_by_id == office["officer"].id and not fee.paid
    new = messages_to(session, resident)[before:]
    assert len(new) == 1 and "50.000 ₫" in new[0].body and case.code in new[0].body
    # The workbench shows the request; the tracking page the amount and how to pay.
    page = client.get(f"/en/workbench/cases/{case.id}").page
    assert "Not paid yet" in page.get_text() and page.select_one(f"a[href='{pay_url(case, 'en')}']")
    client.post("/en/account/logout", data={"csrf_token": client.csrf_token("/en/")})
    tracked = client.submit("/en/dossiers/track", {"code": case.code, "contact": PHONE}).page
    facts = tracked.select_one("dl.facts").get_text(" ", strip=True)
    assert "Fee to pay 50.000 ₫" in facts and "one-stop desk" in facts and case.code in facts


@pytest.mark.parametrize("amount,message", [
    ("0", "more than 0"), ("-5000", "more than 0"), ("năm mươi nghìn", "whole number"),
    ("12abc", "whole number"), ("1.5", "whole number"), ("", "Enter the amount"),
    ("99999999999999", "too large"),
])
def test_a_bad_amount_is_refused_and_kept_as_typed(client, office, session, amount, message):
    login(client, office["officer"], lang="en")
    response = ask(client, office["case"], "en", amount=amount)
    assert response.status_code == 400
    assert message in response.page.select_one("#amount-error").get_text()
    assert response.page.select_one("#amount").get("value", "") == amount
    assert fee_count(session) == 0 and state_of(session, office["case"]) == 4


def test_the_same_refusal_in_vietnamese_pages(client, office, session):
    login(client, office["officer"])
    response = ask(client, office["case"], amount="0")
    assert response.status_code == 400 and response.page.find("html")["lang"] == "vi"
    assert response.page.select_one("#amount-error").get_text(strip=True)
    assert fee_count(session) == 0


def test_an_amount_other_than_the_published_fee_needs_a_reason(client, office, session):
    case = office["case"]
    login(client, office["officer"], lang="en")
    response = ask(client, case, "en", amount="70000")
    assert response.status_code == 400
    assert "say why" in response.page.select_one("#reason-error").get_text()
    assert response.page.select_one("#amount")["value"] == "70000"
    assert fee_count(session) == 0
    response = ask(client, case, "en", amount="70 000", reason="Thêm phí sao lục 2 bản")
    assert response.status_code == 302
    fee = session.scalar(select(DossierFee))
    assert (fee.amount, fee.table_amount, fee.reason) == (70_000, 50_000, "Thêm phí sao lục 2 bản")
    tracked = client.submit("/en/dossiers/track", {"code": case.code, "contact": PHONE}).page
    assert "70.000 ₫" in tracked.get_text() and "Thêm phí sao lục 2 bản" in tracked.get_text()


def test_no_fee_on_a_case_that_is_not_being_processed(client, session):
    office = build_office(session, start=False)
    case = office["case"]
    login(client, office["officer"], lang="en")
    page = client.get(fee_url(case, "en"), follow_redirects=True)
    assert "only be asked for while the dossier is being processed" in page.page.get_text()
    response = client.post(fee_url(case, "en"), data={
        "csrf_token": client.csrf_token("/en/workbench/"), "version": case.version,
        "amount": "50000"})
    assert response.status_code == 302 and fee_count(session) == 0
    assert state_of(session, case) == 2


def test_a_refused_state_change_leaves_no_fee_row(client, office, session):
    case = office["case"]
    login(client, office["officer"], lang="en")
    stale = ask(client, case, "en", version=str(case.version - 1))
    assert stale.status_code == 302 and fee_count(session) == 0
    assert "Someone changed this case" in client.get(stale.headers["Location"]).page.get_text()
    # The service alone: perform refuses (a resident may not ask for fees), nothing is written.
    with pytest.raises(NotAllowed):
        fees.request_fee(session, case.id, office["resident"], "50000", None)
    with pytest.raises(StaleCase):
        fees.request_fee(session, case.id, office["officer"], "50000", None,
                         expected_version=case.version + 7)
    assert fee_count(session) == 0 and state_of(session, case) == 4


@pytest.mark.parametrize("who,status", [("intake", 403), ("other", 403), ("resident", 403)])
def test_only_the_officers_of_the_case_may_ask(client, office, session, who, status):
    login(client, office[who])
    assert client.get(fee_url(office["case"])).status_code == status
    response = client.post(fee_url(office["case"]), data={
        "csrf_token": client.csrf_token("/vi/"), "version": office["case"].version,
        "amount": "50000"})
    assert response.status_code == status and fee_count(session) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, office):
    response = client.get(fee_url(office["case"]))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    response = client.get(pay_url(office["case"]))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def _asked(client, office):
    login(client, office["officer"], lang="en")
    assert ask(client, office["case"], "en").status_code == 302
    # Asked once (state 6), the fee page sends the officer back to the case.
    again = client.get(fee_url(office["case"], "en"))
    assert again.status_code == 302 and again.headers["Location"].endswith(
        f"/workbench/cases/{office['case'].id}")
    return office["case"]


def pay(client, case, session, **data):
    session.expire_all()
    version = session.get(Case, case.id).version
    values = {"version": str(version), "provider": "desk", "receipt_number": "BL-0042",
              "amount_paid": "50000", "paid_on": local_day(utcnow()).isoformat()}
    values.update(data)
    return client.submit(pay_url(case, "en"), values)


def test_the_officer_records_the_payment_and_processing_continues(client, office, session):
    case = _asked(client, office)
    form = client.get(pay_url(case, "en")).page
    assert form.select_one("#amount_paid")["value"] == "50000"
    before = len(messages_to(session, office["resident"]))
    response = pay(client, case, session, amount_paid="50.000 ₫")
    assert response.status_code == 302
    assert state_of(session, case) == 4
    fee = session.scalar(select(DossierFee))
    assert (fee.provider, fee.receipt_number, fee.amount_paid) == ("desk", "BL-0042", 50_000)
    assert fee.paid_on == local_day(utcnow()) and fee.recorded_by_id == office["officer"].id
    assert len(messages_to(session, office["resident"])) == before + 1
    page = client.get(f"/en/workbench/cases/{case.id}").page.get_text(" ", strip=True)
    assert "receipt BL-0042" in page
    tracked = client.submit("/en/dossiers/track", {"code": case.code, "contact": PHONE}).page
    assert "paid on" in tracked.select_one("dl.facts").get_text()


@pytest.mark.parametrize("data,field,message", [
    ({"amount_paid": "40000"}, "amount_paid", "is not the amount asked (50.000 ₫)"),
    ({"amount_paid": "0"}, "amount_paid", "more than 0"),
    ({"amount_paid": "abc"}, "amount_paid", "whole number"),
    ({"receipt_number": ""}, "receipt_number", "number of the payment receipt"),
    ({"paid_on": ""}, "paid_on", "day the fee was paid"),
    ({"paid_on": "2099-01-01"}, "paid_on", "cannot be in the future"),
    ({"paid_on": "2020-01-01"}, "paid_on", "before the fee was asked for"),
    ({"paid_on": "31/02/2026"}, "paid_on", "real date"),
    ({"provider": "bank"}, "provider", "how the fee was paid"),
])
def test_a_wrong_payment_is_refused_and_nothing_saved(client, office, session, data, field,
                                                     message):
    case = _asked(client, office)
    response = pay(client, case, session, **data)
    assert response.status_code == 400
    assert message in response.page.select_one(f"#{field}-error").get_text()
    assert response.page.select_one("#receipt_number").get("value", "") == data.get(
        "receipt_number", "BL-0042")
    session.expire_all()
    assert not session.scalar(select(DossierFee)).paid and state_of(session, case) == 6


@pytest.mark.parametrize("who", ["intake", "other"])
def test_only_the_officers_of_the_case_record_payments(client, office, session, who):
    case = _asked(client, office)
    client.post("/en/account/logout", data={"csrf_token": client.csrf_token("/en/")})
    login(client, office[who], lang="en")
    assert client.get(pay_url(case, "en")).status_code == 403
    assert pay(client, case, session).status_code == 403
    assert state_of(session, case) == 6


def test_no_payment_page_while_no_fee_is_asked(client, office, session):
    login(client, office["officer"], lang="en")
    response = client.get(pay_url(office["case"], "en"), follow_redirects=True)
    assert "only be recorded while a fee is waiting" in response.page.get_text()


def test_amounts_as_people_type_them():
    assert fees.parse_amount("1.500.000") == 1_500_000
    assert fees.parse_amount(" 20,000 đ ") == 20_000
    for bad in ("1.50.000", "2e5", "١٢", "５０００", "0x10"):
        with pytest.raises(fees.FeeError):
            fees.parse_amount(bad)


def test_a_payment_the_day_before_the_request_is_refused_by_the_service(office, session):
    case = office["case"]
    fees.request_fee(session, case.id, office["officer"], "50000", None)
    yesterday = local_day(utcnow()) - timedelta(days=1)
    with pytest.raises(fees.FeeError) as refused:
        fees.record_payment(session, case.id, office["officer"], provider="desk",
                            receipt_number="X1", amount_paid="50000", paid_on=yesterday)
    assert refused.value.code == "paid_before_request"
