"""Desk appointments, as residents and the desk's staff meet them: booking a slot for a procedure
(days and free seats, the confirmation with its code and QR code, the message), cancelling,
"my appointments"; staff setting the weekly hours and closures, the day list, arrivals and
no-shows; and every refusal: a full, past, holiday or tampered slot, a second booking the same
day, a late or someone else's cancellation, a bad pattern. A refusal says why in the page's
language and changes nothing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.appointments import booking, schedule
from app.appointments.booking import BookingError
from app.appointments.schedule import ClosureInput, OpeningInput, ScheduleError
from app.models import (Appointment, CalendarDay, DeskClosure, DeskOpening, DeskSlot,
                        OutboxMessage, utcnow)
from app.queue.calendar import local_day
from app.queue.calendar_db import calendar_from_db
from tests.appointments_support import (PASSWORD, SETTINGS, book_now, browser, count,
                                        desk, errors, local, snapshot,  # noqa: F401 (desk)
                                        working_day_ahead)
from tests.factories import make_procedure, make_resident


# -- booking --------------------------------------------------------------------------------

def test_a_resident_books_a_slot_and_gets_a_confirmation_with_code_qr_and_message(
        app, session, desk):
    client = browser(app, desk["resident"])
    start = client.get("/vi/appointments/book")
    assert start.status_code == 200
    options = [o["value"] for o in start.page.select("select#procedure option")]
    assert desk["procedure"].code in options

    days = client.get(f"/vi/appointments/book?procedure={desk['procedure'].code}")
    day = working_day_ahead(session)
    link = days.page.select_one(f"#days a[href*='day={day.isoformat()}']")
    assert link is not None, days.page.select_one("#days")
    assert "12 chỗ trống" in link.find_parent("li").get_text(" ", strip=True)

    page = client.get(link["href"])
    radios = page.page.select("fieldset#slot input[type=radio]")
    assert [r["value"] for r in radios][:2] == ["08:00", "08:30"] and len(radios) == 6
    assert "08:00–08:30 · còn 2 chỗ" in page.page.select_one("fieldset#slot").get_text(" ")

    answer = client.post("/vi/appointments/book", data={
        "csrf_token": client.csrf_token(link["href"]),
        "procedure_id": str(desk["procedure"].id), "day": day.isoformat(), "slot": "08:30"})
    assert answer.status_code == 302
    confirmation = client.get(answer.headers["Location"])
    made = session.scalars(select(Appointment)).one()
    assert made.code in confirmation.page.select_one(".booking-code").get_text()
    assert made.code.startswith("LH-") and len(made.code) == 9
    assert confirmation.page.select_one(".qr svg") is not None
    qr_text = confirmation.page.select_one(".qr p").get_text()
    assert f"http://localhost/vi/appointments/{made.id}" in qr_text
    assert "08:30–09:00" in confirmation.page.get_text()
    assert made.starts_at == local(day, 8, 30) and made.day == day and made.status == "booked"
    assert session.scalar(select(DeskSlot.booked).where(DeskSlot.id == made.slot_id)) == 1
    message = session.scalars(select(OutboxMessage)).one()
    assert message.recipient == desk["resident"].phone and made.code in message.subject
    assert made.code in message.body and f"/vi/appointments/{made.id}" in message.body
    assert "Đăng ký khai sinh" in message.body and "Xã Tân Hòa" in message.body


def test_the_days_list_counts_free_seats_and_shows_holidays_closed(app, session, desk):
    day = working_day_ahead(session, after=3)
    session.add(CalendarDay(day=day, kind="holiday", name_vi="Nghỉ bù", name_en="Day off"))
    session.commit()
    client = browser(app, desk["resident"])
    page = client.get(f"/vi/appointments/book?procedure={desk['procedure'].code}")
    items = {li.select_one("strong").get_text(): li.get_text(" ", strip=True)
             for li in page.page.select("#days li")}
    label = next(text for key, text in items.items() if day.strftime("%d/%m/%Y") in key)
    assert "Nghỉ" in label and "chỗ trống" not in label
    assert page.page.select_one(f"#days a[href*='day={day.isoformat()}']") is None


@pytest.mark.parametrize("lang, expected", [
    ("vi", "Ngày này bộ phận một cửa nghỉ"), ("en", "The desk is closed that day")])
def test_booking_a_holiday_is_refused_in_the_page_language(app, session, desk, lang, expected):
    day = working_day_ahead(session, after=3)
    session.add(CalendarDay(day=day, kind="holiday", name_vi="Nghỉ", name_en="Off"))
    session.commit()
    client = browser(app, desk["resident"])
    before = snapshot(session)
    answer = client.post(f"/{lang}/appointments/book", data={
        "csrf_token": client.csrf_token(f"/{lang}/appointments/book"),
        "procedure_id": str(desk["procedure"].id), "day": day.isoformat(), "slot": "08:00"})
    assert answer.status_code == 400
    assert expected in errors(answer)
    assert snapshot(session) == before


def test_booking_a_full_slot_is_refused_and_nothing_changes(app, session, desk):
    day = working_day_ahead(session)
    book_now(session, desk["neighbour"], desk, day)
    book_now(session, desk["third"], desk, day)
    client = browser(app, desk["resident"])
    page = client.get(f"/vi/appointments/book?procedure={desk['procedure'].code}"
                      f"&day={day.isoformat()}")
    full = page.page.select_one("fieldset#slot input[value='08:00']")
    assert full.has_attr("disabled")
    before = snapshot(session)
    answer = client.post("/vi/appointments/book", data={
        "csrf_token": client.csrf_token("/vi/appointments/book"),
        "procedure_id": str(desk["procedure"].id), "day": day.isoformat(), "slot": "08:00"})
    assert answer.status_code == 400
    assert "Giờ này đã kín chỗ" in errors(answer)
    # What was chosen is kept, and the other times are still offered.
    assert answer.page.select_one("input[name=procedure_id]")["value"] == str(
        desk["procedure"].id)
    assert answer.page.select_one("fieldset#slot input[value='08:30']") is not None
    assert snapshot(session) == before


def test_booking_a_past_slot_is_refused(app, session, desk):
    yesterday = local_day(utcnow()) - timedelta(days=1)
    client = browser(app, desk["resident"])
    before = snapshot(session)
    answer = client.post("/vi/appointments/book", data={
        "csrf_token": client.csrf_token("/vi/appointments/book"),
        "procedure_id": str(desk["procedure"].id), "day": yesterday.isoformat(),
        "slot": "08:00"})
    assert answer.status_code == 400
    assert "Giờ này đã qua" in errors(answer)
    assert snapshot(session) == before


def test_booking_twice_the_same_day_is_refused(app, session, desk):
    day = working_day_ahead(session)
    book_now(session, desk["resident"], desk, day, "08:00")
    client = browser(app, desk["resident"])
    days = client.get(f"/vi/appointments/book?procedure={desk['procedure'].code}")
    mine = [li for li in days.page.select("#days li") if day.strftime("%d/%m/%Y") in li.text]
    assert "Bạn đã có lịch hẹn trong ngày này" in mine[0].get_text()
    day_page = client.get(f"/vi/appointments/book?procedure={desk['procedure'].code}"
                          f"&day={day.isoformat()}")
    assert "Bạn đã có lịch hẹn trong ngày này" in day_page.page.select_one("main").get_text()
    assert day_page.page.select_one("main form[method=post]") is None  # no button that fails
    before = snapshot(session)
    answer = client.post("/vi/appointments/book", data={
        "csrf_token": client.csrf_token("/vi/appointments/book"),
        "procedure_id": str(desk["procedure"].id), "day": day.isoformat(), "slot": "10:00"})
    assert answer.status_code == 400
    assert "Bạn đã có lịch hẹn trong ngày này" in errors(answer)
    assert snapshot(session) == before
    # Another day is fine.
    other = calendar_from_db(session).next_working_day(day)
    assert book_now(session, desk["resident"], desk, other).day == other


@pytest.mark.parametrize("slot, message", [
    ("08:15", "Đây không phải là một giờ hẹn của bộ phận một cửa"),
    ("12:00", "Đây không phải là một giờ hẹn của bộ phận một cửa"),
    ("<script>", "Đây không phải là một giờ hẹn của bộ phận một cửa"),
    ("", "Hãy chọn giờ"),
])
def test_a_tampered_or_missing_time_is_refused(app, session, desk, slot, message):
    day = working_day_ahead(session)
    client = browser(app, desk["resident"])
    before = snapshot(session)
    answer = client.post("/vi/appointments/book", data={
        "csrf_token": client.csrf_token("/vi/appointments/book"),
        "procedure_id": str(desk["procedure"].id), "day": day.isoformat(), "slot": slot})
    assert answer.status_code == 400
    assert message in errors(answer)
    assert snapshot(session) == before


@pytest.mark.parametrize("tamper", ["missing", "inactive", "province", "text", "huge"])
def test_a_tampered_procedure_is_refused(app, session, desk, tamper):
    ids = {"missing": "999999", "text": "abc", "huge": "99999999999999999999"}
    if tamper in ("inactive", "province"):
        other = make_procedure(session, **({"active": False} if tamper == "inactive"
                                           else {"level": "province"}))
        session.commit()
        ids[tamper] = str(other.id)
    day = working_day_ahead(session)
    client = browser(app, desk["resident"])
    before = snapshot(session)
    answer = client.post("/vi/appointments/book", data={
        "csrf_token": client.csrf_token("/vi/appointments/book"),
        "procedure_id": ids[tamper], "day": day.isoformat(), "slot": "08:00"})
    assert answer.status_code == 400
    assert "Hãy chọn thủ tục trong danh sách" in errors(answer)
    assert snapshot(session) == before


@pytest.mark.parametrize("day", ["2026-02-30", "30/12/2026", "", "٢٠٢٦-١٢-٠٩"])
def test_a_tampered_day_is_refused(app, session, desk, day):
    client = browser(app, desk["resident"])
    before = snapshot(session)
    answer = client.post("/vi/appointments/book", data={
        "csrf_token": client.csrf_token("/vi/appointments/book"),
        "procedure_id": str(desk["procedure"].id), "day": day, "slot": "08:00"})
    assert answer.status_code == 400
    assert "Hãy chọn một ngày trong danh sách" in errors(answer)
    assert snapshot(session) == before


def test_a_day_too_far_ahead_is_refused(app, session, desk):
    far = local_day(utcnow()) + timedelta(days=SETTINGS.horizon_days + 7)
    client = browser(app, desk["resident"])
    answer = client.post("/en/appointments/book", data={
        "csrf_token": client.csrf_token("/en/appointments/book"),
        "procedure_id": str(desk["procedure"].id), "day": far.isoformat(), "slot": "08:00"})
    assert answer.status_code == 400
    assert "up to 21 days ahead" in errors(answer)


def test_a_slot_starting_within_the_lead_time_is_refused(session, desk):
    day = date(2026, 12, 9)  # a Wednesday
    with pytest.raises(BookingError) as refused:
        book_now(session, desk["resident"], desk, day, "08:30", now=local(day, 7, 45))
    assert refused.value.code == "too_soon"
    assert book_now(session, desk["resident"], desk, day, "09:00",
                    now=local(day, 7, 45)).starts_at == local(day, 9, 0)


def test_a_resident_without_a_commune_is_told_there_is_no_desk(app, session, desk):
    loner = make_resident(session, password=PASSWORD)
    session.commit()
    page = browser(app, loner).get("/vi/appointments/book")
    assert page.status_code == 200
    assert "Tài khoản của bạn chưa có xã" in page.page.select_one("main").get_text()
    with pytest.raises(BookingError) as refused:
        book_now(session, loner, desk, working_day_ahead(session))
    assert refused.value.code == "no_commune"


def test_a_resident_books_only_their_own_communes_desk(session, desk):
    # The stranger's commune has set no hours: there is nothing to book there, and this
    # commune's desk is not theirs to book.
    with pytest.raises(BookingError) as refused:
        book_now(session, desk["stranger"], desk, working_day_ahead(session))
    assert refused.value.code == "no_such_slot"
    assert count(session, Appointment) == 0


# -- cancelling -----------------------------------------------------------------------------

def test_a_resident_cancels_and_the_seat_is_free_again(app, session, desk):
    day = working_day_ahead(session)
    made = book_now(session, desk["resident"], desk, day)
    book_now(session, desk["neighbour"], desk, day)
    client = browser(app, desk["resident"])
    page = client.get(f"/vi/appointments/{made.id}/cancel")
    assert page.status_code == 200
    answer = client.post(f"/vi/appointments/{made.id}/cancel",
                         data={"csrf_token": client.csrf_token(f"/vi/appointments/{made.id}/cancel")})
    assert answer.status_code == 302
    session.refresh(made)
    assert made.status == "cancelled" and made.cancelled_by_id == desk["resident"].id
    assert session.get(DeskSlot, made.slot_id).booked == 1
    assert book_now(session, desk["third"], desk, day).slot_id == made.slot_id
    subjects = [m.subject for m in session.scalars(select(OutboxMessage))]
    assert any(made.code in s and "huỷ" in s for s in subjects), subjects


def test_cancelling_too_late_is_refused_and_nothing_changes(app, session, desk):
    day = working_day_ahead(session)
    made = book_now(session, desk["resident"], desk, day)
    app.config["APPOINTMENT_CANCEL_MINUTES"] = 60 * 24 * 30  # a month: already too late
    client = browser(app, desk["resident"])
    page = client.get(f"/vi/appointments/{made.id}/cancel")
    assert "Đã quá hạn huỷ" in page.page.select_one(".error-summary").get_text()
    assert page.page.select_one("button.button-danger") is None  # no button that can only fail
    detail = client.get(f"/vi/appointments/{made.id}")
    assert detail.page.select_one(f"a[href$='/{made.id}/cancel']") is None
    before = snapshot(session)
    answer = client.post(f"/vi/appointments/{made.id}/cancel",
                         data={"csrf_token": client.csrf_token("/vi/appointments/")})
    assert answer.status_code == 400
    assert "Đã quá hạn huỷ" in answer.page.select_one(".error-summary").get_text()
    assert snapshot(session) == before


def test_the_cancel_deadline_is_the_configured_time_before_the_start(session, desk):
    day = date(2026, 12, 9)
    made = book_now(session, desk["resident"], desk, day, "10:00", now=local(day, 6, 0))
    assert booking.cancel_refusal(made, SETTINGS, local(day, 8, 0)) is None
    assert booking.cancel_refusal(made, SETTINGS, local(day, 8, 1)) == "too_late"
    with pytest.raises(BookingError) as refused:
        booking.cancel(session, desk["resident"], made.id, SETTINGS, now=local(day, 8, 1))
    assert refused.value.code == "too_late"
    booking.cancel(session, desk["resident"], made.id, SETTINGS, now=local(day, 8, 0))
    with pytest.raises(BookingError) as refused:
        booking.cancel(session, desk["resident"], made.id, SETTINGS, now=local(day, 8, 0))
    assert refused.value.code == "not_cancellable"


def test_nobody_sees_or_cancels_someone_elses_booking(app, session, desk):
    made = book_now(session, desk["resident"], desk, working_day_ahead(session))
    before = snapshot(session)
    for who in ("neighbour", "stranger"):
        client = browser(app, desk[who])
        assert client.get(f"/vi/appointments/{made.id}").status_code == 404
        assert client.get(f"/vi/appointments/{made.id}/cancel").status_code == 404
        answer = client.post(f"/vi/appointments/{made.id}/cancel",
                             data={"csrf_token": client.csrf_token("/vi/appointments/")})
        assert answer.status_code == 404
        assert made.code not in client.get("/vi/appointments/").get_data(as_text=True)
    # Staff of another commune: no such booking for them either.
    assert browser(app, desk["outsider"]).get(f"/vi/appointments/{made.id}").status_code == 404
    assert snapshot(session) == before


def test_my_appointments_lists_upcoming_and_past_with_cancel_where_allowed(app, session, desk):
    day = working_day_ahead(session)
    later = calendar_from_db(session).next_working_day(day)
    coming = book_now(session, desk["resident"], desk, day)
    dropped = book_now(session, desk["resident"], desk, later)
    booking.cancel(session, desk["resident"], dropped.id, SETTINGS)
    page = browser(app, desk["resident"]).get("/vi/appointments/")
    upcoming = page.page.select_one("#upcoming").get_text(" ", strip=True)
    assert coming.code in upcoming and dropped.code not in upcoming
    assert page.page.select_one(f"#upcoming a[href$='/{coming.id}/cancel']") is not None
    past = page.page.select_one("#past").get_text(" ", strip=True)
    assert dropped.code in past and "Đã huỷ" in past


def test_an_empty_list_says_so(app, session, desk):
    page = browser(app, desk["resident"]).get("/vi/appointments/")
    assert "Không có lịch hẹn sắp tới" in page.page.select_one("main").get_text()


# -- the desk: hours and closures -------------------------------------------------------------

def test_staff_set_the_weekly_hours_of_their_desk(app, session, desk):
    client = browser(app, desk["officer"])
    url = f"/vi/appointments/desk/{desk['commune'].id}/schedule"
    answer = client.post(url + "/openings", data={
        "csrf_token": client.csrf_token(url), "weekdays": ["0", "2"], "opens": "13:30",
        "closes": "16:30", "length": "20", "capacity": "4"})
    assert answer.status_code == 302
    rows = session.scalars(select(DeskOpening).where(DeskOpening.start_minute == 810)).all()
    assert sorted(r.weekday for r in rows) == [0, 2]
    assert {(r.end_minute, r.slot_minutes, r.capacity) for r in rows} == {(990, 20, 4)}
    page = client.get(url)
    assert "13:30–16:30" in page.page.select_one("#openings").get_text()


@pytest.mark.parametrize("change, field, message", [
    ({"capacity": "0"}, "capacity", "ít nhất 1"),
    ({"capacity": "-3"}, "capacity", "ít nhất 1"),
    ({"capacity": "500"}, "capacity", "Tối đa 100 người"),
    ({"capacity": "ba"}, "capacity", "số nguyên"),
    ({"opens": "11:00", "closes": "08:00"}, "closes", "Giờ kết thúc phải sau giờ bắt đầu"),
    ({"opens": "09:00", "closes": "09:00"}, "closes", "Giờ kết thúc phải sau giờ bắt đầu"),
    ({"opens": "chín giờ"}, "opens", "Hãy nhập giờ"),
    ({"closes": ""}, "closes", "Hãy nhập giờ"),
    ({"length": "2"}, "length", "từ 5 đến 240 phút"),
    ({"length": "90", "opens": "13:00", "closes": "14:00"}, "closes", "ngắn hơn một lượt"),
    ({"weekdays": []}, "weekdays", "Hãy chọn ít nhất một ngày"),
    ({"weekdays": ["6"]}, "weekdays", "Hãy chọn ngày trong danh sách"),
    ({"opens": "10:30", "closes": "12:00"}, "opens", "trùng với giờ mở cửa 08:00–11:00"),
])
def test_a_bad_pattern_is_refused_with_its_own_message_and_nothing_saved(
        app, session, desk, change, field, message):
    client = browser(app, desk["leader"])
    url = f"/vi/appointments/desk/{desk['commune'].id}/schedule"
    data = {"csrf_token": client.csrf_token(url), "weekdays": ["1"], "opens": "13:30",
            "closes": "16:30", "length": "30", "capacity": "2", **change}
    before = count(session, DeskOpening)
    answer = client.post(url + "/openings", data=data)
    assert answer.status_code == 400
    assert message in answer.page.select_one(f"#{field}-error").get_text()
    kept = answer.page.select_one("#opens")["value"]
    assert kept == data["opens"]  # what was typed is kept
    assert count(session, DeskOpening) == before


def test_removing_hours_keeps_the_bookings_already_made(app, session, desk):
    day = working_day_ahead(session)
    made = book_now(session, desk["resident"], desk, day)
    opening = session.scalar(select(DeskOpening.id).where(DeskOpening.weekday == day.weekday()))
    client = browser(app, desk["officer"])
    url = f"/vi/appointments/desk/{desk['commune'].id}/schedule"
    answer = client.post(f"/vi/appointments/desk/openings/{opening}/remove",
                         data={"csrf_token": client.csrf_token(url)})
    assert answer.status_code == 302
    assert session.scalar(select(DeskOpening.id).where(DeskOpening.id == opening)) is None
    assert session.get(Appointment, made.id).status == "booked"
    day_list = client.get(f"/vi/appointments/desk/{desk['commune'].id}/?day={day.isoformat()}")
    assert made.code in day_list.page.select_one("table.day-list").get_text()
    # Pressed again: already done, said plainly.
    again = client.post(f"/vi/appointments/desk/openings/{opening}/remove",
                        data={"csrf_token": client.csrf_token(url)})
    assert again.status_code == 302


def test_a_closure_cancels_the_bookings_it_covers_and_tells_their_residents(app, session, desk):
    day = working_day_ahead(session)
    early = book_now(session, desk["resident"], desk, day, "08:00")
    late = book_now(session, desk["neighbour"], desk, day, "10:30")
    client = browser(app, desk["officer"])
    url = f"/vi/appointments/desk/{desk['commune'].id}/schedule"
    answer = client.post(url + "/closures", data={
        "csrf_token": client.csrf_token(url), "day": day.isoformat(),
        "closed_from": "07:30", "closed_until": "09:00", "reason": "Họp giao ban đột xuất"})
    assert answer.status_code == 302
    assert "1 lịch hẹn" in client.get(url).page.select_one(".flash").get_text()
    session.refresh(early)
    session.refresh(late)
    assert early.status == "cancelled" and early.cancel_reason == "Họp giao ban đột xuất"
    assert late.status == "booked"
    assert session.get(DeskSlot, early.slot_id).booked == 0
    told = session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == desk["resident"].id).order_by(OutboxMessage.id.desc())).first()
    assert early.code in told.subject and "Họp giao ban đột xuất" in told.body
    # No more booking in the closed hours; the rest of the day stays open.
    with pytest.raises(BookingError) as refused:
        book_now(session, desk["third"], desk, day, "08:30")
    assert refused.value.code == "closed"
    assert book_now(session, desk["third"], desk, day, "09:00").status == "booked"


@pytest.mark.parametrize("change, field, message", [
    ({"day": ""}, "day", "Hãy nhập ngày bộ phận một cửa nghỉ"),
    ({"day": "31/02/2027"}, "day", "Nhập một ngày hợp lệ"),
    ({"day": "PAST"}, "day", "không thể là ngày đã qua"),
    ({"day": "FAR"}, "day", "trong vòng 366 ngày"),
    ({"closed_from": "10:00"}, "closed_until", "Hãy nhập cả giờ bắt đầu và giờ kết thúc"),
    ({"closed_from": "10:00", "closed_until": "09:00"}, "closed_until",
     "Giờ kết thúc phải sau giờ bắt đầu"),
    ({"closed_from": "mười giờ", "closed_until": "11:00"}, "closed_from", "Hãy nhập giờ"),
    ({"reason": "   "}, "reason", "Hãy cho biết lý do"),
])
def test_a_bad_closure_is_refused_and_nothing_saved(app, session, desk, change, field, message):
    today = local_day(utcnow())
    values = {"PAST": (today - timedelta(days=1)).isoformat(),
              "FAR": (today + timedelta(days=400)).isoformat()}
    change = {k: values.get(v, v) for k, v in change.items()}
    client = browser(app, desk["officer"])
    url = f"/vi/appointments/desk/{desk['commune'].id}/schedule"
    data = {"csrf_token": client.csrf_token(url),
            "day": (today + timedelta(days=5)).isoformat(), "closed_from": "",
            "closed_until": "", "reason": "Tập huấn", **change}
    answer = client.post(url + "/closures", data=data)
    assert answer.status_code == 400
    assert message in answer.page.select_one(f"#{field}-error").get_text()
    assert count(session, DeskClosure) == 0


def test_staff_of_another_commune_cannot_touch_this_desk(app, session, desk):
    made = book_now(session, desk["resident"], desk, working_day_ahead(session))
    opening = session.scalars(select(DeskOpening)).first()
    client = browser(app, desk["outsider"])
    base = f"/vi/appointments/desk/{desk['commune'].id}"
    assert client.get(base + "/").status_code == 403
    assert client.get(base + "/schedule").status_code == 403
    token = client.csrf_token("/vi/")
    before = snapshot(session), count(session, DeskOpening)
    for url in (base + "/schedule/openings", base + "/schedule/closures",
                f"/vi/appointments/desk/openings/{opening.id}/remove",
                f"/vi/appointments/desk/bookings/{made.id}/arrived",
                f"/vi/appointments/desk/bookings/{made.id}/no-show"):
        answer = client.post(url, data={"csrf_token": token, "weekdays": "1", "opens": "13:00",
                                         "closes": "14:00", "length": "30", "capacity": "1"})
        assert answer.status_code == 403, url
    assert (snapshot(session), count(session, DeskOpening)) == before
    # Their own desk is where /desk/ takes them.
    landing = client.get("/vi/appointments/desk/")
    assert landing.headers["Location"].endswith(f"/desk/{desk['other'].id}/")


def test_a_resident_has_no_desk_pages(app, session, desk):
    client = browser(app, desk["resident"])
    assert client.get(f"/vi/appointments/desk/{desk['commune'].id}/").status_code == 403
    assert client.get("/vi/appointments/desk/").status_code == 403


# -- the desk: the day list, arrivals and no-shows ----------------------------------------------

def _today_booking(session, desk, who="resident", minutes_from_now=-30) -> Appointment:
    """A booking starting `minutes_from_now` from now, made a week ago (the desk's day comes)."""
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=minutes_from_now)
    slot = DeskSlot(unit_id=desk["commune"].id, starts_at=starts, booked=1)
    session.add(slot)
    session.flush()
    made = Appointment(code=f"LH-T{desk[who].id:05d}"[:9], user_id=desk[who].id,
                       unit_id=desk["commune"].id, slot_id=slot.id,
                       procedure_id=desk["procedure"].id, day=local_day(starts),
                       starts_at=starts, ends_at=starts + timedelta(minutes=30),
                       created_at=starts - timedelta(days=7))
    session.add(made)
    session.commit()
    return made


def test_the_day_list_shows_each_slot_with_its_bookings_names_and_phones(app, session, desk):
    day = working_day_ahead(session)
    first = book_now(session, desk["resident"], desk, day, "08:30")
    book_now(session, desk["neighbour"], desk, day, "08:30")
    page = browser(app, desk["leader"]).get(
        f"/vi/appointments/desk/{desk['commune'].id}/?day={day.isoformat()}")
    assert page.status_code == 200
    table = page.page.select_one("table.day-list")
    rows = [r.get_text(" ", strip=True) for r in table.select("tbody tr")]
    assert len(rows) == 7  # six slots, one of them with two bookings
    booked = [r for r in rows if first.code in r][0]
    assert "08:30–09:00" in booked and "Trần Thị Hạnh" in booked
    assert desk["resident"].phone in booked and "Đăng ký khai sinh" in booked
    assert "2 trên 2 chỗ" in booked
    assert "2 đã đặt" in page.page.select_one("#day-counts").get_text()
    # Not today: no button that could only fail.
    assert table.select("button") == []


def test_the_desk_marks_an_arrival_on_the_day(app, session, desk):
    made = _today_booking(session, desk, minutes_from_now=60)
    client = browser(app, desk["officer"])
    page = client.get(f"/vi/appointments/desk/{desk['commune'].id}/?day={made.day.isoformat()}")
    assert page.page.select_one(
        f"form[action$='/bookings/{made.id}/arrived'] button") is not None
    # Before the time has begun a no-show cannot be recorded yet.
    assert page.page.select_one(f"form[action$='/bookings/{made.id}/no-show']") is None
    answer = client.post(f"/vi/appointments/desk/bookings/{made.id}/arrived",
                         data={"csrf_token": client.csrf_token("/vi/")})
    assert answer.status_code == 302
    session.refresh(made)
    assert made.status == "arrived" and made.marked_by_id == desk["officer"].id
    after = client.get(answer.headers["Location"])
    assert "đã đến" in after.page.select_one(".flash").get_text()
    # Pressed again: refused with a message, nothing changes.
    again = client.post(f"/vi/appointments/desk/bookings/{made.id}/arrived",
                        data={"csrf_token": client.csrf_token("/vi/")})
    assert again.status_code == 302
    assert "đã được ghi nhận" in client.get(again.headers["Location"]).page.select_one(
        ".flash-error").get_text()


def test_a_no_show_is_recorded_and_frees_nothing(app, session, desk):
    made = _today_booking(session, desk, minutes_from_now=-20)
    client = browser(app, desk["officer"])
    answer = client.post(f"/vi/appointments/desk/bookings/{made.id}/no-show",
                         data={"csrf_token": client.csrf_token("/vi/")})
    assert answer.status_code == 302
    session.refresh(made)
    assert made.status == "no_show" and made.no_show_at is not None
    assert session.get(DeskSlot, made.slot_id).booked == 1  # the seat stays taken
    page = client.get(f"/vi/appointments/desk/{desk['commune'].id}/?day={made.day.isoformat()}")
    assert "Không đến" in page.page.select_one("table.day-list").get_text()
    # The resident came after all (late): the arrival corrects the record.
    client.post(f"/vi/appointments/desk/bookings/{made.id}/arrived",
                data={"csrf_token": client.csrf_token("/vi/")})
    session.refresh(made)
    assert made.status == "arrived" and made.no_show_at is None


def test_arrival_and_no_show_rules(session, desk):
    day = date(2026, 12, 9)
    made = book_now(session, desk["resident"], desk, day, "09:00", now=local(day, 6, 0))
    for action, now, code in [
            (booking.mark_arrived, local(day - timedelta(days=1), 9), "not_today"),
            (booking.mark_no_show, local(day, 8, 59), "not_started")]:
        with pytest.raises(BookingError) as refused:
            action(session, desk["officer"], made.id, now=now)
        assert refused.value.code == code
    with pytest.raises(BookingError) as refused:
        booking.mark_arrived(session, desk["outsider"], made.id, now=local(day, 9, 0))
    assert refused.value.code == "forbidden"
    booking.mark_no_show(session, desk["officer"], made.id, now=local(day, 9, 0))
    with pytest.raises(BookingError) as refused:
        booking.mark_no_show(session, desk["officer"], made.id, now=local(day, 9, 5))
    assert refused.value.code == "already_no_show"
    with pytest.raises(BookingError) as refused:
        booking.cancel(session, desk["resident"], made.id, SETTINGS, now=local(day, 6, 0))
    assert refused.value.code == "not_cancellable"


def test_staff_see_the_resident_and_buttons_on_the_booking_page_the_resident_does_not(
        app, session, desk):
    made = _today_booking(session, desk, minutes_from_now=60)
    staff_view = browser(app, desk["officer"]).get(f"/vi/appointments/{made.id}")
    text = staff_view.page.select_one("#appointment").get_text(" ")
    assert "Trần Thị Hạnh" in text and desk["resident"].phone in text
    assert staff_view.page.select_one(f"form[action$='/{made.id}/arrived']") is not None
    own_view = browser(app, desk["resident"]).get(f"/vi/appointments/{made.id}")
    assert own_view.page.select_one("form[action*='/desk/']") is None
    assert own_view.page.select_one(".qr svg") is not None


def test_an_administrator_runs_every_desk(app, session, desk):
    client = browser(app, desk["admin"])
    page = client.get(f"/vi/appointments/desk/{desk['other'].id}/schedule")
    assert page.status_code == 200
    options = [o.get_text() for o in page.page.select("#desk-commune option")]
    assert "Xã Tân Hòa" in options


def test_services_refuse_another_communes_staff(session, desk):
    with pytest.raises(ScheduleError) as refused:
        schedule.add_openings(session, desk["outsider"], desk["commune"].id, OpeningInput(
            weekdays=[1], start=780, end=840, length=30, capacity=1))
    assert refused.value.code == "not_your_commune"
    with pytest.raises(ScheduleError) as refused:
        schedule.add_closure(session, desk["outsider"], desk["commune"].id, ClosureInput(
            day=local_day(utcnow()) + timedelta(days=3), reason="x"))
    assert refused.value.code == "not_your_commune"


def test_the_desk_asks_the_one_rule_for_staff_of_a_commune():
    from app.appointments import desk_routes
    from app.units import staff

    assert booking.is_commune_staff is staff.is_commune_staff
    assert schedule.is_commune_staff is staff.is_commune_staff
    assert schedule.communes_staffed is staff.communes_staffed
    assert desk_routes.is_commune_staff is staff.is_commune_staff


def test_booking_attempts_are_limited_per_account(database, session, desk):
    from tests.conftest import _app_for

    limited = _app_for(database, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       RATELIMIT_BOOKING="2 per minute")
    with limited.app_context():
        client = browser(limited, desk["resident"])
        form = {"csrf_token": client.csrf_token("/vi/appointments/book"),
                "procedure_id": str(desk["procedure"].id),
                "day": working_day_ahead(session).isoformat(), "slot": "08:15"}
        answers = [client.post("/vi/appointments/book", data=form).status_code
                   for _ in range(3)]
        assert answers == [400, 400, 429]
        # Looking at the days is not counted.
        assert client.get("/vi/appointments/book").status_code == 200
        # Another person is not held back by this one.
        other = browser(limited, desk["neighbour"])
        form["csrf_token"] = other.csrf_token("/vi/appointments/book")
        assert other.post("/vi/appointments/book", data=form).status_code == 400
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
