"""The write-transaction helper keeps a caller's work atomic."""
from sqlalchemy import func, select

from app.db import begin_write
from app.models import AdminUnit


def test_begin_write_never_commits_flushed_work_of_the_caller(session):
    session.add(AdminUnit(code="X1", level="province", name_vi="Tỉnh X", name_en="X Province"))
    session.flush()  # the session now looks clean, but the row is not committed
    begin_write(session)
    session.rollback()
    assert session.scalar(select(func.count(AdminUnit.id))) == 0


def test_begin_write_ends_a_read_only_transaction_and_starts_a_write_one(session):
    session.scalar(select(func.count(AdminUnit.id)))
    begin_write(session)
    session.add(AdminUnit(code="X2", level="province", name_vi="Tỉnh Y", name_en="Y Province"))
    session.commit()
    assert session.scalar(select(func.count(AdminUnit.id))) == 1
