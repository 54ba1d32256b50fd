"""Declarative base shared by every model; no Flask here so the queue can use it anywhere."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can refer to them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Bilingual:
    """Text kept as a `<field>_vi` / `<field>_en` pair, read in the reader's language:
    Vietnamese unless English is asked for. Mixed into models and plain records alike."""

    def text(self, field: str, locale: str) -> str:
        return getattr(self, f"{field}_en" if locale == "en" else f"{field}_vi")

    def name(self, locale: str) -> str:
        return self.text("name", locale)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in Python on every engine.

    SQLite has no time zone type and hands back naive values; normalising here means no code
    ever compares a naive datetime with an aware one.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            # Stored naive in UTC so that text comparison in SQL orders correctly.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}
