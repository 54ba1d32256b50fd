"""The portal runs on sqlite3 and psycopg only (claims and tallies talk to the driver itself):
any other driver is refused when the engine is set up, with what to write instead."""
from types import SimpleNamespace

import pytest

from app.db import SUPPORTED_DRIVERS, UnsupportedDriver, configure_engine


def _engine(name: str, driver: str):
    return SimpleNamespace(dialect=SimpleNamespace(name=name, driver=driver))


@pytest.mark.parametrize("name, driver", [("postgresql", "psycopg2"), ("postgresql", "asyncpg"),
                                          ("mysql", "pymysql")])
def test_another_driver_is_refused_at_start_up(name, driver):
    with pytest.raises(UnsupportedDriver, match="postgresql\\+psycopg://"):
        configure_engine(_engine(name, driver))


def test_the_two_drivers_the_portal_runs_on():
    assert SUPPORTED_DRIVERS == {"pysqlite", "psycopg"}
    engine = _engine("postgresql", "psycopg")
    assert configure_engine(engine) is engine
