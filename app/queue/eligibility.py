"""Who may take a case today: the one definition, as SQL and as Python. No Flask here.

An officer may take a case of a department when they
  * hold a seat in that department,
  * have an active account,
  * are not on leave on today's *local* date (Asia/Ho_Chi_Minh; a leave with no end date is one
    day),
  * hold the case's category as a skill,
  * and, where a rule hands work out (routing, a leader's reassignment), are on duty. Claiming
    is the officer asking for work themselves, so there the duty flag does not apply.

Each condition is written once below, as a pair: the SQL text (over `m` officer_memberships,
`u` users, `s` officer_skills, bound `:today`) and the Python test of the same thing. The claim,
routing and reassignment build their SQL from `seat_sql()`; the "why not" answers and the
model's helpers use `refusal()`. tests/integration/test_eligibility.py runs every caller over
one table of officers and checks that they agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from app.queue.calendar import local_day

__all__ = ["Condition", "CONDITIONS", "seat_sql", "refusal", "on_leave", "SeatFacts",
           "local_day"]


def on_leave(leave_from: date | None, leave_until: date | None, day: date) -> bool:
    """On leave that local day? A leave with no end date is a single day."""
    if leave_from is None:
        return False
    return leave_from <= day <= (leave_until or leave_from)


@dataclass(frozen=True)
class SeatFacts:
    """What the rule reads about one seat, as plain values."""

    active: bool
    on_duty: bool
    leave_from: date | None
    leave_until: date | None
    skills: frozenset[str]


@dataclass(frozen=True)
class Condition:
    reason: str               # the NotAllowed reason when this condition fails
    sql: str                  # true when the seat passes
    holds: Callable[[SeatFacts, date, str | None], bool]
    duty_only: bool = False   # applies only where a rule hands work out
    skill_only: bool = False  # needs a particular skill to test


CONDITIONS: tuple[Condition, ...] = (
    Condition("inactive", "u.active", lambda f, day, skill: f.active),
    Condition("on_leave",
              "NOT (m.leave_from IS NOT NULL AND m.leave_from <= :today "
              "AND COALESCE(m.leave_until, m.leave_from) >= :today)",
              lambda f, day, skill: not on_leave(f.leave_from, f.leave_until, day)),
    Condition("off_duty", "m.on_duty", lambda f, day, skill: f.on_duty, duty_only=True),
    Condition("no_skill", "s.skill = :skill", lambda f, day, skill: skill in f.skills,
              skill_only=True),
)


def _applies(condition: Condition, *, duty: bool, skill: bool) -> bool:
    return (duty or not condition.duty_only) and (skill or not condition.skill_only)


def seat_sql(*, duty: bool, skill: bool) -> str:
    """The rule as a SQL condition over `m`, `u` (and `s` when `skill`), joined by AND.

    The caller joins users `u` on m.user_id and, for `skill`, officer_skills `s` on
    s.membership_id, and binds :today (the local date) and :skill.
    """
    return " AND ".join(f"({c.sql})" for c in CONDITIONS
                        if _applies(c, duty=duty, skill=skill))


def refusal(facts: SeatFacts, day: date, *, duty: bool, skill: str | None = None) -> str | None:
    """Why this seat may not take the work on `day` (the local date), or None when it may."""
    for c in CONDITIONS:
        if _applies(c, duty=duty, skill=skill is not None) and not c.holds(facts, day, skill):
            return c.reason
    return None

