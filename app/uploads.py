"""What an uploaded file is, decided by its content, never by its name or the browser's word.

A file is accepted when its bytes are a kind we take (PDF, Word DOCX, OpenDocument ODT, old
Word DOC) and its name's extension agrees with that kind: a "form.pdf" that is really a
program, or a DOCX renamed .pdf, is refused. Residents' attachments may also be JPEG or PNG
photos of a paper. No Flask here: the same check serves the
administrators' template files and, later, residents' attachments.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

# Blank forms are a page or two; scanned attachments will have their own limit.
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class FileKind:
    code: str
    extensions: tuple[str, ...]
    mimetype: str


KINDS = {
    "pdf": FileKind("pdf", ("pdf",), "application/pdf"),
    "docx": FileKind("docx", ("docx",),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": FileKind("odt", ("odt",), "application/vnd.oasis.opendocument.text"),
    "doc": FileKind("doc", ("doc",), "application/msword"),
    "jpeg": FileKind("jpeg", ("jpg", "jpeg"), "image/jpeg"),
    "png": FileKind("png", ("png",), "image/png"),
}
# Blank forms the administrators attach to a procedure.
DOCUMENT_KINDS = frozenset({"pdf", "docx", "odt", "doc"})
# What residents attach: a PDF or a phone photo of the paper.
ATTACHMENT_KINDS = frozenset({"pdf", "jpeg", "png"})
# A phone photo of a page is 1–4 MB; a scanned PDF of a few pages fits too.
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


class UploadError(Exception):
    """The file was refused; `code` says why (empty, too_large, bad_type, name_mismatch)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _zip_kind(data: bytes) -> str | None:
    """DOCX and ODT are both zip files; only the names inside (and ODT's first entry) tell
    them apart. Only the directory is read, nothing is decompressed but ODT's short mimetype
    entry, so a zip bomb costs nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return "docx"
            if infos and infos[0].filename == "mimetype" and infos[0].file_size < 100:
                if archive.read(infos[0]).strip() == ODT_MIMETYPE:
                    return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    return None


def sniff(data: bytes) -> str | None:
    """The kind of document these bytes are, or None when they are none we take."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(OLE2_MAGIC):
        return "doc"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def extension(filename: str | None) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_document(data: bytes, filename: str | None, *, allowed=DOCUMENT_KINDS,
                   max_bytes: int = TEMPLATE_MAX_BYTES) -> FileKind:
    """The kind of an uploaded document, or UploadError."""
    if not data:
        raise UploadError("empty")
    if len(data) > max_bytes:
        raise UploadError("too_large")
    kind = sniff(data)
    if kind is None or kind not in allowed:
        raise UploadError("bad_type")
    if extension(filename) not in KINDS[kind].extensions:
        raise UploadError("name_mismatch")
    return KINDS[kind]
