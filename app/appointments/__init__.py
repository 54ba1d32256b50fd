"""Appointments at the commune's one-stop desk (đặt lịch hẹn tại bộ phận một cửa): residents
book a slot for a procedure; the desk's staff set the weekly pattern and closures, see the
day's bookings and mark arrivals and no-shows. Blueprint `appointments` at /<lang>/appointments.

An appointment is not a case: nobody works it, nothing is due. It sits beside the queue and
leads to one (the desk registers the dossier when the resident arrives).

* slots.py: which slots the desk offers (pattern, calendar, closures, the booking window);
* schedule.py: the pattern and closures (staff of the commune);
* booking.py: booking, cancelling, arrivals and no-shows, the lists;
* notices.py: the messages (confirmation, reminder, cancellation), in the resident's language;
* reminders.py: the worker's pass that sends each reminder once;
* routes.py (residents) and desk_routes.py (staff): views only.
"""
from flask import Blueprint

bp = Blueprint("appointments", __name__, url_prefix="/<lang:lang_code>/appointments")
