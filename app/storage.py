"""Where uploaded files live: behind one small interface, so a node can keep them on its disk
today and in an object store (or a volume several nodes share) later without the callers
changing.

Files are stored under random names chosen here, never under a name the uploader gave and
never under static/, so nothing uploaded is ever served except through a view that decides
who may have it. A key is "<kind>/<32 hex digits>"; anything else is refused before the
filesystem is touched, so a key from the database cannot walk out of the store's directory.
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,29}$")
_KEY = re.compile(r"^([a-z][a-z0-9_-]{0,29})/([0-9a-f]{32})$")


class FileStore(Protocol):
    def save(self, data: bytes, kind: str) -> str:
        """Keep `data`; returns the key to find it again."""

    def open(self, key: str) -> BinaryIO:
        """The stored file, for reading; FileNotFoundError when there is none."""

    def delete(self, key: str) -> None:
        """Forget the file; nothing happens if it is already gone."""


class LocalFileStore:
    """Files on this machine's disk, one directory per kind."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def save(self, data: bytes, kind: str) -> str:
        if not _KIND.match(kind):
            raise ValueError("bad kind")
        directory = self.root / kind
        directory.mkdir(parents=True, exist_ok=True)
        key = f"{kind}/{secrets.token_hex(16)}"
        path = self._path(key)
        # "x": never overwrite; a clash of 128 random bits would be a bug worth hearing about.
        with open(path, "xb") as out:
            out.write(data)
        return key

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass

    def _path(self, key: str) -> Path:
        match = _KEY.match(key or "")
        if match is None:
            raise FileNotFoundError(key)
        return self.root / match.group(1) / match.group(2)


def file_store() -> FileStore:
    """The application's store: UPLOAD_DIR, by default instance/uploads/."""
    from flask import current_app  # here: the rest of this module is usable without Flask

    return LocalFileStore(current_app.config["UPLOAD_DIR"])
