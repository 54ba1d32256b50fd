"""A small, hand-counted history of one commune's one-stop desk in March to May 2026, made
through the real services (online and walk-in submission, perform(), ratings), for the
statistics tests. The expected figures are written out by hand in the tests, from this story:

Procedure: 3 working days. Public holidays on Mon 27/04 (Hùng Kings, observed), Thu 30/04 and
Fri 01/05.

  C8  online, Mon 30/03 09:00, due Thu 02/04 17:00; done Wed 01/04 (early, 2 working days);
      rated 2 (dissatisfied) on 03/04, after the result was handed over.
  C1  online, Thu 02/04 09:00, due Tue 07/04; done Fri 03/04 (early, 1 day); rated 5 on 03/04.
  C2  walk-in, Mon 06/04 08:30, due Thu 09/04; done Thu 09/04 16:00 (on the day, 3 days).
  C6  online, Wed 08/04; withdrawn by the applicant Thu 09/04.
  C7  online, Fri 10/04; refused at intake the same day.
  C4  walk-in, Mon 13/04 09:00, due Thu 16/04; apology approved Fri 17/04 with a new date
      Fri 24/04; done Wed 22/04 (late: it needed an apology; 7 days).
  C9  online, Tue 14/04, due Fri 17/04; supplement asked Mon 20/04 (already late), never
      answered: overdue at the end of April and of May.
  C5  online, Mon 20/04 09:00, due Thu 23/04; open at the end of April (overdue); done Wed
      06/05 (late).
  C3  online, Wed 22/04 09:00, due Tue 28/04 (27/04 is a holiday); supplement asked Thu 23/04,
      given Wed 29/04 (3 working days waited: 24, 28, 29), new due Tue 05/05 (30/04 and 01/05
      are holidays); done Tue 05/05 10:00 (on the day, 6 - 3 = 3 days).
  P1  a petition (phản ánh, 10 working days), Mon 06/04; answered Wed 08/04 (on time).
  Q1  a question (hỏi đáp, 2 working days), Tue 07/04 09:00, due Thu 09/04; answered Fri
      10/04 (late). Both are case_type 'petition' and go through the petitions services (the
      officer's answer, the leader's approval); the statistics count them apart.
"""
from __future__ import annotations

from datetime import date, datetime

from app.dossiers import services as dossiers
from app.models import PetitionTopic, RoutingRule
from app.petitions import services as petitions
from app.petitions.answers import draft_answer
from app.queue.actions import perform
from app.queue.calendar import LOCAL_TZ, local_close
from tests.factories import make_dossier_office, make_officer, make_resident

PROCEDURE_CODE = "1.000893"


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def build_one(session, history: dict, when: datetime):
    """One more online dossier of the same office, submitted at `when`."""
    office = history["office"]
    return dossiers.submit(session, dossiers.Submission(
        procedure_id=office["procedure"].id, unit_id=office["commune"].id,
        applicant_name="Hoàng Văn An", applicant_phone="0912345678", channel="online",
        applicant_user_id=history["resident"].id, idempotency_key=f"one-{when.isoformat()}"),
        now=when).case


def build(session) -> dict:
    office = make_dossier_office(session, procedure_code=PROCEDURE_CODE, processing_days=3)
    dept, commune, procedure = office["dept"], office["commune"], office["procedure"]
    dept.case_types = "dossier,petition"
    session.add(RoutingRule(case_type="petition", category="petition", unit_id=commune.id,
                            department_id=dept.id, mode="pull", active=True))
    intake = make_officer(session, dept, desk="intake", skills=["civil_status", "petition"],
                          password="officer-pass-1")
    leader = make_officer(session, dept, desk="leader", lead=True, password="officer-pass-1")
    resident = make_resident(session, commune=commune)
    session.commit()

    def online(when: datetime, key: str):
        return dossiers.submit(session, dossiers.Submission(
            procedure_id=procedure.id, unit_id=commune.id, applicant_name="Hoàng Văn An",
            applicant_phone="0912345678", channel="online", applicant_user_id=resident.id,
            submitted_by_id=resident.id, idempotency_key=key), now=when).case

    def walk_in(when: datetime, key: str):
        return dossiers.register_walk_in(session, dossiers.Submission(
            procedure_id=procedure.id, unit_id=commune.id, applicant_name="Lò Thị Sáu",
            applicant_id_number="012345678901", channel="walk_in", submitted_by_id=intake.id,
            idempotency_key=key), intake, now=when).case

    def act(case, action, who, when, **kwargs):
        perform(session, case.id, action, who, now=when, **kwargs)

    def finish(case, received: datetime | None, started: datetime, done: datetime):
        if received is not None:
            act(case, "receive", intake, received)
        act(case, "start", leader, started)
        act(case, "complete", leader, done)

    cases = {}
    cases["C8"] = c = online(at(3, 30), "c8")
    finish(c, at(3, 30, 10), at(3, 30, 11), at(4, 1, 15))
    act(c, "return_result", intake, at(4, 3, 8))
    dossiers.rate(session, resident.id, c.id, 2, None, now=at(4, 3, 8, 30))

    cases["C1"] = c = online(at(4, 2), "c1")
    finish(c, at(4, 2, 10), at(4, 2, 11), at(4, 3, 15))
    act(c, "return_result", intake, at(4, 3, 16))
    dossiers.rate(session, resident.id, c.id, 5, "Nhanh", now=at(4, 3, 16, 30))

    cases["C2"] = c = walk_in(at(4, 6, 8, 30), "c2")
    finish(c, None, at(4, 6, 9), at(4, 9, 16))

    cases["C6"] = c = online(at(4, 8), "c6")
    act(c, "withdraw", resident, at(4, 9))

    cases["C7"] = c = online(at(4, 10), "c7")
    act(c, "refuse", intake, at(4, 10, 11), note="Không thuộc thẩm quyền của xã")

    cases["C4"] = c = walk_in(at(4, 13), "c4")
    act(c, "start", leader, at(4, 13, 10))
    act(c, "request_apology", leader, at(4, 17, 10), note="Chờ xác minh",
        new_due_at=local_close(date(2026, 4, 24)))
    act(c, "approve_apology", leader, at(4, 17, 11))
    act(c, "complete", leader, at(4, 22, 15))

    cases["C9"] = c = online(at(4, 14), "c9")
    act(c, "receive", intake, at(4, 14, 10))
    act(c, "start", leader, at(4, 14, 11))
    act(c, "request_supplement", leader, at(4, 20, 10), note="Bổ sung giấy khai sinh")

    cases["C5"] = c = online(at(4, 20), "c5")
    act(c, "receive", intake, at(4, 20, 10))
    act(c, "start", leader, at(4, 20, 11))

    cases["C3"] = c = online(at(4, 22), "c3")
    act(c, "receive", intake, at(4, 22, 10))
    act(c, "start", leader, at(4, 22, 11))
    act(c, "request_supplement", leader, at(4, 23, 10), note="Bổ sung bản sao")
    act(c, "supplement_provided", resident, at(4, 29, 9))

    def ask(kind: str, topic: PetitionTopic, title: str, when: datetime):
        return petitions.file_petition(session, None, petitions.Filing(
            kind=kind, topic_id=topic.id, unit_id=commune.id, title=title,
            body="Kính đề nghị xã xem xét và trả lời.", asker_name="Hoàng Văn An",
            asker_phone="0912345678", user_id=resident.id,
            idempotency_key=f"{kind}-{when.isoformat()}"), now=when).case

    def answer(case, received: datetime, started: datetime, approved: datetime):
        act(case, "receive", intake, received)
        act(case, "start", leader, started)
        draft_answer(session, case.id, leader, "Xã đã tiếp nhận và trả lời như sau.",
                     now=started)
        act(case, "approve", leader, approved)

    slow = PetitionTopic(code="HT-DEN-DUONG", name_vi="Hạ tầng", name_en="Infrastructure",
                         category="petition", sla_days=10)
    quick = PetitionTopic(code="HD-HO-TICH", name_vi="Hỏi đáp hộ tịch",
                          name_en="Civil status questions", category="petition", sla_days=2)
    session.add_all([slow, quick])
    session.commit()
    cases["P1"] = c = ask("petition", slow, "Phản ánh đèn đường hỏng", at(4, 6))
    answer(c, at(4, 6, 10), at(4, 6, 11), at(4, 8, 15))
    cases["Q1"] = c = ask("question", quick, "Hỏi về thời hạn đăng ký khai sinh", at(4, 7))
    answer(c, at(4, 7, 10), at(4, 7, 11), at(4, 10, 10))

    # May
    act(cases["C3"], "complete", leader, at(5, 5, 10))
    act(cases["C5"], "complete", leader, at(5, 6, 10))
    return {"office": office, "intake": intake, "leader": leader, "resident": resident,
            "cases": cases}
