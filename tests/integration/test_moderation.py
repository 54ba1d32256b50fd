"""Comments, flags and moderation (issue 9, item 3), through the checked test client.

Initiatives and needs are made directly with the models (their pages belong to other parts);
the comments partial is seen through the comments page and htmx answers of this part.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community import moderation_service as service
from app.models import CommunitySettings
from app.models.community import Comment, Flag, Initiative, ModerationEntry, VillageNeed
from tests.conftest import only_on
from tests.factories import make_department, make_officer, make_resident, make_unit

PASSWORD = "community-pass-1"


@pytest.fixture
def place(session):
    commune = make_unit(session, level="commune")
    other = make_unit(session, level="commune")
    dept = make_department(session, commune, case_types="petition")
    other_dept = make_department(session, other, case_types="petition")
    people = {
        "author": make_resident(session, password=PASSWORD, commune=commune),
        "moderator": make_officer(session, dept, password=PASSWORD),
        "outsider": make_officer(session, other_dept, password=PASSWORD),
        **{f"r{i}": make_resident(session, password=PASSWORD, commune=commune)
           for i in range(1, 5)},
    }
    initiative = Initiative(author_id=people["author"].id, unit_id=commune.id,
                            category="roads", title="Sửa đường liên thôn",
                            description="Đường hỏng nặng.", status="under_evaluation")
    draft = Initiative(author_id=people["author"].id, unit_id=commune.id, category="roads",
                       title="Bản nháp", description="Chưa đăng.", status="draft")
    need = VillageNeed(unit_id=commune.id, posted_by_id=people["moderator"].id,
                       title="Nước sạch", description="Cần bồn chứa nước.")
    session.add_all([initiative, draft, need])
    session.flush()
    comment = Comment(target_type="initiative", target_id=initiative.id,
                      author_id=people["author"].id, body="Tôi đồng ý.")
    session.add(comment)
    session.commit()
    return {"commune": commune, "other": other, "people": people, "initiative": initiative,
            "draft": draft, "need": need, "comment": comment}


def login(client, user, lang="en"):
    assert client.login(user.email or user.phone, PASSWORD, lang=lang).status_code == 302


def page_url(target_type, target_id, lang="en"):
    return f"/{lang}/community/comments?target_type={target_type}&target_id={target_id}"


def post_comment(client, target_type, target_id, body, **kwargs):
    form_url = page_url("initiative", kwargs.pop("form_id"))
    return client.submit("/en/community/comments", {
        "target_type": target_type, "target_id": str(target_id), "body": body},
        form_url=form_url, **kwargs)


def flag(client, target_type, target_id, reason="spam", form_id=None, **kwargs):
    return client.submit("/en/community/flags", {
        "target_type": target_type, "target_id": str(target_id), "reason": reason},
        form_url=page_url("initiative", form_id), **kwargs)


def count(session, model, *where):
    session.rollback()
    return session.scalar(select(func.count()).select_from(model).where(*where))


# -- comments ----------------------------------------------------------------------------

def test_the_comments_page_lists_comments_and_asks_anonymous_visitors_to_sign_in(client, place):
    response = client.get(page_url("initiative", place["initiative"].id))
    assert response.status_code == 200
    assert "Tôi đồng ý." in response.page.get_text()
    assert response.page.find("textarea") is None
    assert client.get(page_url("initiative", place["draft"].id)).status_code == 404
    assert client.get("/en/community/comments?target_type=user&target_id=1").status_code == 404
    # Posting without an account goes to the login page.
    token = client.csrf_token(page_url("initiative", place["initiative"].id))
    response = client.post("/en/community/comments", data={
        "csrf_token": token, "target_type": "initiative",
        "target_id": str(place["initiative"].id), "body": "Hello"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_a_resident_comments_and_is_sent_back(client, place, session):
    login(client, place["people"]["r1"])
    ini = place["initiative"].id
    response = post_comment(client, "initiative", ini, "Ủng hộ sáng kiến này!", form_id=ini)
    assert response.status_code == 302
    assert count(session, Comment, Comment.target_id == ini) == 2
    page = client.get(page_url("initiative", ini)).page
    assert "Ủng hộ sáng kiến này!" in page.get_text()
    # A comment on a need, answered to htmx with the refreshed partial.
    need = place["need"].id
    response = post_comment(client, "village_need", need, "Tôi góp 2 ngày công.", form_id=ini,
                            headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Tôi góp 2 ngày công." in response.page.get_text()
    assert response.page.find("section", id=f"comments-village_need-{need}") is not None


def test_hostile_or_empty_comments_are_refused_and_what_was_typed_is_kept(client, place, session):
    login(client, place["people"]["r1"])
    ini = place["initiative"].id
    response = post_comment(client, "initiative", ini, "xin chào\u202eevil", form_id=ini)
    assert response.status_code == 400
    assert response.page.find("textarea").get_text() == "xin chào\u202eevil"
    assert "cannot be used here" in response.page.find(class_="error-message").get_text()
    response = post_comment(client, "initiative", ini, "", form_id=ini,
                            headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Write your comment." in response.page.get_text()
    assert post_comment(client, "initiative", ini, "   ", form_id=ini).status_code == 400
    assert post_comment(client, "initiative", ini, "x" * 2001, form_id=ini).status_code == 400
    assert count(session, Comment, Comment.target_id == ini) == 1


def test_hidden_or_unpublished_targets_cannot_be_commented_on(client, place, session):
    login(client, place["people"]["r1"])
    ini = place["initiative"].id
    assert post_comment(client, "initiative", place["draft"].id, "Hi",
                        form_id=ini).status_code == 404
    place["need"].hidden = True
    session.commit()
    assert post_comment(client, "village_need", place["need"].id, "Hi",
                        form_id=ini).status_code == 404
    assert count(session, Comment) == 1


# -- flags -------------------------------------------------------------------------------

def test_a_person_flags_a_thing_once(client, place, session):
    login(client, place["people"]["r1"])
    ini = place["initiative"].id
    assert flag(client, "initiative", ini, form_id=ini).status_code == 302
    response = flag(client, "initiative", ini, "abusive", form_id=ini,
                    headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx swaps only 2xx: the message is the answer
    assert "already reported" in response.page.get_text()
    session.rollback()
    assert session.get(Initiative, ini).flag_count == 1
    assert count(session, Flag) == 1
    # An unknown reason changes nothing either.
    assert flag(client, "comment", place["comment"].id, "boring", form_id=ini).status_code == 302
    assert count(session, Flag) == 1


def _flag_by(app, place, who, target_type, target_id):
    from tests.access_matrix import PersonClient

    app.test_client_class = PersonClient
    client = app.test_client()
    login(client, place["people"][who])
    return flag(client, target_type, target_id, form_id=place["initiative"].id)


@pytest.mark.parametrize("target", ["comment", "initiative", "village_need"])
def test_the_threshold_hides_the_thing(app, place, session, target):
    target_id = {"comment": place["comment"].id, "initiative": place["initiative"].id,
                 "village_need": place["need"].id}[target]
    for who in ("r1", "r2"):
        _flag_by(app, place, who, target, target_id)
    assert not service.is_hidden(session, target, target_id)
    _flag_by(app, place, "r3", target, target_id)
    session.rollback()
    assert service.is_hidden(session, target, target_id)
    entries = session.scalars(select(ModerationEntry).where(
        ModerationEntry.target_type == target, ModerationEntry.target_id == target_id)).all()
    assert [e.action for e in entries] == ["auto_hide"]
    if target == "initiative":
        assert entries[0].reason == "previous:under_evaluation"
    # Once hidden it cannot be flagged again.
    assert _flag_by(app, place, "r4", target, target_id).status_code == 404


def test_a_commune_setting_changes_the_threshold_and_hidden_comments_show_a_placeholder(
        app, client, place, session):
    session.add(CommunitySettings(unit_id=place["commune"].id, flag_threshold=1))
    session.commit()
    _flag_by(app, place, "r1", "comment", place["comment"].id)
    session.rollback()
    assert session.get(Comment, place["comment"].id).status == "hidden"
    text = client.get(page_url("initiative", place["initiative"].id)).page.get_text()
    assert "Tôi đồng ý." not in text
    assert "hidden by moderation" in text


def test_two_last_flags_together_hide_once(app, place, session):
    """Two people send the last flag at the same moment, each in a session of its own: the
    counter is a guarded UPDATE and the hiding another, so the thing is hidden and logged
    exactly once whichever way the two interleave (on SQLite BEGIN IMMEDIATE orders them and
    the second finds it hidden already; on PostgreSQL the row lock does)."""
    import threading

    from sqlalchemy.orm import Session as OrmSession

    from app.extensions import db
    from app.models import User

    session.add(CommunitySettings(unit_id=place["commune"].id, flag_threshold=2))
    session.commit()
    service.flag(session, place["people"]["r1"], "initiative", place["initiative"].id, "spam")
    engine = db.engine
    ini = place["initiative"].id
    users = [place["people"]["r2"].id, place["people"]["r3"].id]
    start = threading.Barrier(2)
    outcomes = []

    def send(user_id):
        with OrmSession(engine) as own:
            user = own.get(User, user_id)
            own.rollback()
            start.wait()
            try:
                outcomes.append("hid" if service.flag(own, user, "initiative", ini,
                                                      "abusive").hidden else "counted")
            except service.ModerationError as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=send, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["counted", "hid"], ["hid", "not_found"])
    session.rollback()
    assert session.get(Initiative, ini).status == "hidden"
    assert count(session, ModerationEntry, ModerationEntry.action == "auto_hide") == 1
    flags = count(session, Flag, Flag.target_id == ini)
    assert session.get(Initiative, ini).flag_count == flags


# -- the moderators ------------------------------------------------------------------------

def _hide(session, place, target_type, target_id, status="published"):
    session.add(CommunitySettings(unit_id=place["commune"].id, flag_threshold=1))
    session.commit()
    service.flag(session, place["people"]["r1"], target_type, target_id, "abusive")
    session.rollback()


def decide(client, action, target_type, target_id, reason):
    return client.submit(f"/en/community/moderation/{action}", {
        "target_type": target_type, "target_id": str(target_id), "reason": reason},
        form_url="/en/community/moderation")


def test_residents_and_other_communes_staff_cannot_moderate(client, place, session):
    _hide(session, place, "initiative", place["initiative"].id)
    login(client, place["people"]["r2"])
    assert client.get("/en/community/moderation").status_code == 403
    assert client.get("/en/community/moderation/log").status_code == 403
    client.post("/en/account/logout", data={"csrf_token": client.csrf_token("/en/")})
    login(client, place["people"]["outsider"])
    queue = client.get("/en/community/moderation")
    assert queue.status_code == 200 and "Sửa đường" not in queue.page.get_text()
    response = decide(client, "restore", "initiative", place["initiative"].id, "Fine")
    assert response.status_code == 403
    assert service.is_hidden(session, "initiative", place["initiative"].id)


def test_restore_puts_back_the_previous_status_and_logs_it(client, place, session):
    ini = place["initiative"].id
    _hide(session, place, "initiative", ini)
    login(client, place["people"]["moderator"])
    queue = client.get("/en/community/moderation").page.get_text()
    assert "Sửa đường liên thôn" in queue and "Abusive or offensive: 1" in queue
    assert decide(client, "restore", "initiative", ini, "Không vi phạm").status_code == 302
    session.rollback()
    initiative = session.get(Initiative, ini)
    assert initiative.status == "under_evaluation" and initiative.flag_count == 0
    entry = session.scalars(select(ModerationEntry).where(
        ModerationEntry.action == "restore")).one()
    assert entry.moderator_id == place["people"]["moderator"].id
    assert entry.reason == "Không vi phạm"
    # The flags are kept: the same person cannot hide it again by flagging once more.
    with pytest.raises(service.ModerationError) as refused:
        service.flag(session, place["people"]["r1"], "initiative", ini, "spam")
    assert refused.value.code == "already_flagged"
    log = client.get("/en/community/moderation/log").page.get_text()
    assert "Restored" in log and "Không vi phạm" in log and "Hidden by flags" in log


def test_restore_a_need_and_a_comment(client, place, session):
    _hide(session, place, "village_need", place["need"].id)
    service.flag(session, place["people"]["r1"], "comment", place["comment"].id, "spam")
    login(client, place["people"]["moderator"])
    assert decide(client, "restore", "village_need", place["need"].id, "OK").status_code == 302
    assert decide(client, "restore", "comment", place["comment"].id, "OK").status_code == 302
    session.rollback()
    assert session.get(VillageNeed, place["need"].id).hidden is False
    assert session.get(Comment, place["comment"].id).status == "visible"


def test_remove_needs_a_reason_and_then_removes(client, place, session):
    cid = place["comment"].id
    _hide(session, place, "comment", cid)
    login(client, place["people"]["moderator"])
    response = decide(client, "remove", "comment", cid, "  ")
    assert response.status_code == 400
    assert "Give the reason" in response.page.get_text()
    session.rollback()
    assert session.get(Comment, cid).status == "hidden"
    assert decide(client, "remove", "comment", cid, "Lăng mạ").status_code == 302
    session.rollback()
    assert session.get(Comment, cid).status == "removed"
    # Removed: out of the queue, not restorable, its text never shown.
    assert "Tôi đồng ý" not in client.get("/en/community/moderation").page.get_text()
    assert decide(client, "restore", "comment", cid, "Oops").status_code == 302
    assert session.get(Comment, cid).status == "removed"
    text = client.get(page_url("initiative", place["initiative"].id)).page.get_text()
    assert "Tôi đồng ý" not in text and "hidden by moderation" in text
    actions = session.scalars(select(ModerationEntry.action).order_by(ModerationEntry.id)).all()
    assert actions == ["auto_hide", "remove"]


def test_a_removed_initiative_stays_hidden(client, place, session):
    ini = place["initiative"].id
    _hide(session, place, "initiative", ini)
    login(client, place["people"]["moderator"])
    assert decide(client, "remove", "initiative", ini, "Quảng cáo").status_code == 302
    session.rollback()
    assert session.get(Initiative, ini).status == "hidden"
    assert "Sửa đường" not in client.get("/en/community/moderation").page.get_text()
    assert decide(client, "restore", "initiative", ini, "Oops").status_code == 302
    session.rollback()
    assert session.get(Initiative, ini).status == "hidden"


def test_pages_in_vietnamese(client, place, session):
    _hide(session, place, "comment", place["comment"].id)
    login(client, place["people"]["moderator"], lang="vi")
    assert client.get("/vi/community/moderation").status_code == 200
    assert client.get("/vi/community/moderation/log").status_code == 200
    assert client.get(page_url("initiative", place["initiative"].id, "vi")).status_code == 200


# -- the partials, as the initiative and need pages include them -----------------------------

INCLUDE = """{% set target_type = kind %}{% set target_id = the_id %}
<main>{% include "community/_comments.html" ignore missing %}
{% include "community/_flag.html" ignore missing %}</main>"""


@pytest.mark.parametrize("kind", ["initiative", "village_need"])
def test_the_partials_render_inside_another_page(app, place, session, kind):
    from bs4 import BeautifulSoup
    from flask import render_template_string
    from flask_login import login_user

    the_id = place["initiative"].id if kind == "initiative" else place["need"].id
    with app.test_request_context("/en/community/"):
        html = render_template_string(INCLUDE, kind=kind, the_id=the_id)
    page = BeautifulSoup(html, "html.parser")
    assert page.find("section", id=f"comments-{kind}-{the_id}") is not None
    assert page.find("textarea") is None and page.find("select") is None  # anonymous
    with app.test_request_context("/en/community/"):
        login_user(place["people"]["r1"])
        html = render_template_string(INCLUDE, kind=kind, the_id=the_id)
    page = BeautifulSoup(html, "html.parser")
    assert page.find("textarea", attrs={"name": "body"}) is not None
    assert page.find("select", id=f"flag-{kind}-{the_id}-reason") is not None
    if kind == "initiative":  # its comment, with its own report control
        assert "Tôi đồng ý." in page.get_text()
        assert page.find("select", id=f"flag-comment-{place['comment'].id}-reason") is not None


def test_the_demo_leaves_one_hidden_comment_for_the_moderators(client, place, session):
    from app.demo.community_moderation import seed_moderation

    assert seed_moderation(session, {"resident": place["people"]["author"]})["comments"] == 4
    session.commit()
    login(client, place["people"]["moderator"])
    assert "Bán đất nền" in client.get("/en/community/moderation").page.get_text()


def test_hidden_again_after_a_restore_the_queue_counts_only_the_new_flags(client, place, session):
    cid = place["comment"].id
    _hide(session, place, "comment", cid)  # threshold 1, r1 says abusive
    login(client, place["people"]["moderator"])
    assert decide(client, "restore", "comment", cid, "OK").status_code == 302
    service.flag(session, place["people"]["r2"], "comment", cid, "spam")
    text = client.get("/en/community/moderation").page.get_text()
    assert "Spam or advertising: 1" in text and "Abusive" not in text


# -- the review of issue 9 -------------------------------------------------------------------

def _vi(text: str, **values) -> str:
    from flask_babel import force_locale, gettext

    with force_locale("vi"):
        return gettext(text, **values)


def test_a_withdrawn_initiative_takes_no_comments_and_says_so_in_the_pages_language(
        client, place, session):
    ini = place["initiative"]
    ini.status = "withdrawn"
    session.commit()
    login(client, place["people"]["r1"], lang="vi")
    page_url_vi = page_url("initiative", ini.id, "vi")
    page = client.get(page_url_vi).page
    # The comments already written stay readable; no form is offered.
    assert "Tôi đồng ý." in page.get_text() and page.find("textarea") is None
    assert _vi("Comments are closed: the author withdrew this initiative.") in page.get_text()
    response = client.submit("/vi/community/comments", {
        "target_type": "initiative", "target_id": str(ini.id), "body": "Vẫn bình luận"},
        form_url=page_url_vi)
    assert response.status_code == 409
    assert _vi("Comments are closed: the author withdrew this initiative. Nothing was "
               "published.") in response.page.get_text()
    htmx = client.submit("/vi/community/comments", {
        "target_type": "initiative", "target_id": str(ini.id), "body": "Vẫn bình luận"},
        form_url=page_url_vi, headers={"HX-Request": "true"})
    assert htmx.status_code == 200  # htmx swaps only 2xx answers
    assert _vi("Comments are closed: the author withdrew this initiative. Nothing was "
               "published.") in htmx.page.get_text()
    assert count(session, Comment) == 1
    with pytest.raises(service.ModerationError) as refused:
        service.add_comment(session, place["people"]["r1"], "initiative", ini.id, "Xin chào")
    assert refused.value.code == "closed"


def test_flagging_twice_is_refused_in_vietnamese(client, place, session):
    login(client, place["people"]["r1"], lang="vi")
    ini = place["initiative"].id
    form_url = page_url("initiative", ini, "vi")

    def send():
        return client.submit("/vi/community/flags", {
            "target_type": "initiative", "target_id": str(ini), "reason": "spam"},
            form_url=form_url, follow_redirects=True)

    send()
    again = send()
    message = _vi("You have already reported this. A report counts once per person; nothing "
                  "was changed.")
    assert message != "You have already reported this. A report counts once per person; " \
                      "nothing was changed." and message in again.page.get_text()
    session.rollback()
    assert session.get(Initiative, ini).flag_count == 1


def _messages_to(session, user):
    from app.models import OutboxMessage

    session.rollback()
    return session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                           .order_by(OutboxMessage.id)).all()


def test_authors_hear_when_reports_hide_and_a_moderator_decides_in_their_language(
        client, place, session):
    author = place["people"]["author"]
    author.email = "tac.gia@example.vn"
    english = make_resident(session, password=PASSWORD, commune=place["commune"])
    english.locale = "en"
    english_comment = Comment(target_type="initiative", target_id=place["initiative"].id,
                              author_id=english.id, body="Spam spam")
    session.add(english_comment)
    session.commit()
    # Reports hide the Vietnamese author's initiative: they hear of it, in Vietnamese.
    _hide(session, place, "initiative", place["initiative"].id)
    hidden = _messages_to(session, author)
    assert len(hidden) == 1
    assert hidden[0].subject == _vi("Your initiative “%(title)s” was hidden after reports",
                                    title="Sửa đường liên thôn")
    login(client, place["people"]["moderator"])
    assert decide(client, "restore", "initiative", place["initiative"].id,
                  "Không vi phạm").status_code == 302
    restored = _messages_to(session, author)[-1]
    assert restored.subject == _vi("Your initiative “%(title)s” is visible again",
                                   title="Sửa đường liên thôn")
    assert "Không vi phạm" in restored.body
    # The English author's comment is hidden, then removed: both messages in English.
    service.flag(session, place["people"]["r2"], "comment", english_comment.id, "spam")
    assert decide(client, "remove", "comment", english_comment.id,
                  "Quảng cáo").status_code == 302
    subjects = [m.subject for m in _messages_to(session, english)]
    assert subjects == ["Your comment was hidden after reports",
                        "Your comment was removed by a moderator"]
    assert "Quảng cáo" in _messages_to(session, english)[-1].body
    # A refused decision (nothing hidden any more) tells nobody anything.
    before = len(_messages_to(session, english))
    decide(client, "restore", "comment", english_comment.id, "Đổi ý")
    assert len(_messages_to(session, english)) == before


def test_the_queue_is_paged_and_removed_things_do_not_crowd_it(client, place, session):
    from app.community.moderation_service import QUEUE_PAGE_SIZE

    session.add(CommunitySettings(unit_id=place["commune"].id, flag_threshold=1))
    session.commit()
    reporter = place["people"]["r1"]
    moderator = place["people"]["moderator"]
    made = []
    for n in range(QUEUE_PAGE_SIZE + 3):
        row = Initiative(author_id=place["people"]["author"].id, unit_id=place["commune"].id,
                         category="roads", title=f"Sáng kiến {n:02d}", description="Mô tả",
                         status="published")
        session.add(row)
        session.commit()
        service.flag(session, reporter, "initiative", row.id, "spam")
        made.append(row.id)
    # The first five are removed for good: they must not hold places in the queue.
    for row_id in made[:5]:
        service.remove(session, moderator, "initiative", row_id, "Quảng cáo")
    first = service.queue_page(session, moderator, 1)
    assert first.total == QUEUE_PAGE_SIZE - 2 and first.pages == 1
    assert [i.target_id for i in first.items] == made[5:]
    login(client, moderator)
    text = client.get("/en/community/moderation").page.get_text()
    assert "Sáng kiến 05" in text and "Sáng kiến 04" not in text


def test_a_page_of_the_queue_costs_the_same_queries_however_long(client, place, session):
    from sqlalchemy import event

    from app.extensions import db

    session.add(CommunitySettings(unit_id=place["commune"].id, flag_threshold=1))
    session.commit()
    moderator = place["people"]["moderator"]

    def hide_comments(n):
        for _ in range(n):
            row = Comment(target_type="initiative", target_id=place["initiative"].id,
                          author_id=place["people"]["author"].id, body="Quảng cáo")
            session.add(row)
            session.commit()
            service.flag(session, place["people"]["r1"], "comment", row.id, "spam")

    def queries():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = service.queue_page(session, moderator, 1)
            _ = [(i.title, i.reasons) for i in page.items]
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements), len(page.items)

    hide_comments(2)
    few, shown = queries()
    hide_comments(10)
    many, shown_many = queries()
    assert (shown, shown_many) == (2, 12) and many == few


@only_on("postgresql")
def test_two_moderators_deciding_at_once_make_one_decision(app, place, session):
    """Restore and remove pressed in the same instant by two moderators: the row lock orders
    them, the second is told the thing was decided already; one log entry, one message."""
    import threading

    from sqlalchemy.orm import Session as OrmSession

    from app.extensions import db
    from app.models import User
    from tests.factories import make_department, make_officer

    second = make_officer(session, make_department(session, place["commune"]),
                          password=PASSWORD)
    cid = place["comment"].id
    _hide(session, place, "comment", cid)
    engine = db.engine
    outcomes, barrier = [], threading.Barrier(2)

    def decide_in(user_id, action):
        with OrmSession(engine) as own:
            user = own.get(User, user_id)
            own.rollback()
            barrier.wait()
            try:
                getattr(service, action)(own, user, "comment", cid, "Quyết định")
                outcomes.append(action)
            except service.ModerationError as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=decide_in,
                                args=(place["people"]["moderator"].id, "restore")),
               threading.Thread(target=decide_in, args=(second.id, "remove"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["not_hidden", "restore"], ["not_hidden", "remove"])
    winner = next(o for o in outcomes if o != "not_hidden")
    session.rollback()
    assert session.get(Comment, cid).status == ("visible" if winner == "restore" else "removed")
    decisions = session.scalars(select(ModerationEntry.action).where(
        ModerationEntry.action != "auto_hide")).all()
    assert decisions == [winner]
