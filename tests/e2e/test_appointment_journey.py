"""A desk appointment on phones, in Vietnamese: a resident of Xã Đại Phúc finds "Đăng ký khai
sinh", books a time at the commune's one-stop desk (the days with free seats, then the times),
and gets the confirmation with its code and QR code; on the day, the desk officer finds the
booking on the day list and marks the arrival. axe-core checks every page on the way."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.test_dossier_journey import INTAKE, accessible, log_in

pytestmark = pytest.mark.e2e

RESIDENT = "0388000103"   # Ngô Thị Mai, Xã Đại Phúc (demo), no booking yet


def _the_day_comes(live_server, appointment_id: int) -> None:
    """Move the booking to an hour from now: the desk marks arrivals only on the day itself."""
    from app.extensions import db
    from app.models import Appointment
    from app.queue.calendar import local_day

    with live_server.app.app_context():
        booking = db.session.get(Appointment, appointment_id)
        starts = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(hours=1)
        booking.starts_at, booking.ends_at = starts, starts + timedelta(minutes=30)
        booking.day = local_day(starts)
        db.session.commit()
        db.session.remove()


def test_a_resident_books_the_desk_and_the_officer_marks_the_arrival(new_context, live_server):
    resident = new_context().new_page()
    log_in(resident, "vi", RESIDENT)
    resident.goto("/vi/procedures/1.001193")
    resident.locator("#book-desk a").click()
    resident.wait_for_url(re.compile(r"/vi/appointments/book\?procedure=1\.001193"))
    accessible(resident, "the days with free seats")
    free_day = resident.locator("#days a").first
    assert "chỗ trống" in free_day.locator("xpath=..").inner_text()
    free_day.click()
    resident.wait_for_url(re.compile(r"day=\d{4}-\d{2}-\d{2}"))
    accessible(resident, "the times of a day")
    first_free = resident.locator("fieldset#slot input[type=radio]:not([disabled])").first
    time_label = resident.locator(f"label[for='{first_free.get_attribute('id')}']").inner_text()
    first_free.check()
    with resident.expect_navigation():
        resident.get_by_role("button", name="Đặt giờ này").click()
    appointment_id = int(re.search(r"/vi/appointments/(\d+)$", resident.url).group(1))
    confirmation = resident.locator("#appointment")
    code = confirmation.locator(".booking-code").inner_text()
    assert re.fullmatch(r"LH-[2-9A-Z]{6}", code), code
    assert confirmation.locator(".qr svg").count() == 1
    assert time_label.split(" ")[0] in confirmation.inner_text()
    assert "Đăng ký khai sinh" in confirmation.inner_text()
    accessible(resident, "the confirmation")
    resident.goto("/vi/appointments/")
    assert code in resident.locator("#upcoming").inner_text()
    accessible(resident, "my appointments")

    _the_day_comes(live_server, appointment_id)

    desk = new_context().new_page()
    log_in(desk, "vi", INTAKE)
    desk.goto("/vi/workbench/")
    desk.get_by_role("link", name="Lịch hẹn một cửa").click()
    desk.wait_for_url(re.compile(r"/vi/appointments/desk/\d+/$"))
    row = desk.locator("table.day-list tr", has_text=code)
    assert "Ngô Thị Mai" in row.inner_text() and RESIDENT in row.inner_text()
    accessible(desk, "the desk's day list")
    with desk.expect_navigation():
        row.get_by_role("button", name=re.compile(r"^Đã đến")).click()
    assert "đã đến" in desk.locator(".flash").inner_text()
    assert "Đã đến" in desk.locator("table.day-list tr", has_text=code).inner_text()
    desk.locator("table.day-list a", has_text=code).click()
    assert "Đã đến" in desk.locator("#appointment-status").inner_text()
    accessible(desk, "the booking as the desk sees it")
    desk.get_by_role("link", name="Danh sách lịch hẹn trong ngày").click()
    desk.get_by_role("link", name="Giờ tiếp nhận và lịch nghỉ").click()
    assert "07:30–11:00" in desk.locator("#openings").inner_text()
    accessible(desk, "the desk's hours and closures")
