"""The command-line contracts: create-admin, seed-demo."""
from sqlalchemy import func, select

from app.models import AdminUnit, Case, User


def test_create_admin_makes_an_administrator_who_can_log_in(app, session, client):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "Chu.Tich@Example.vn",
                                                "--name", "Chủ tịch xã", "--password", "quan-tri-2026"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "chu.tich@example.vn"))
    assert user.role == "admin" and user.full_name == "Chủ tịch xã"
    assert client.login("chu.tich@example.vn", "quan-tri-2026").status_code == 302


def test_create_admin_refuses_a_short_password_and_a_taken_email(app, session):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["create-admin", "--email", "a@example.vn", "--name", "A", "--password", "short"])
    assert short.exit_code != 0 and "short_password" in short.output
    runner.invoke(args=["create-admin", "--email", "a@example.vn", "--name", "A", "--password", "long-enough-1"])
    again = runner.invoke(args=["create-admin", "--email", "a@example.vn", "--name", "B", "--password", "long-enough-2"])
    assert again.exit_code != 0 and "email_taken" in again.output
    assert session.scalar(select(func.count(User.id))) == 1


def test_seed_demo_loads_once_and_if_empty_leaves_existing_data_alone(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "Demo data loaded" in first.output
    units = session.scalar(select(func.count(AdminUnit.id)))
    cases = session.scalar(select(func.count(Case.id)))
    assert units >= 1 + 6 + 18 and cases >= 300
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code != 0
    assert session.scalar(select(func.count(Case.id))) == cases


def test_an_unexpected_error_shows_a_bilingual_500_page_and_saves_nothing(app, client, session, units):
    from app.security import public

    @public
    def explode():
        session.add(User(full_name="Half", phone="0911111111", password_hash="!", role="resident"))
        session.flush()
        raise RuntimeError("boom")

    app.add_url_rule("/<lang:lang_code>/explode", "explode", explode)
    response = client.get("/vi/explode")
    assert response.status_code == 500
    assert "Đã xảy ra lỗi" in response.page.get_text()
    assert session.scalar(select(func.count(User.id)).where(User.phone == "0911111111")) == 0
