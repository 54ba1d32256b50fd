"""Uploaded documents are judged by their content, and stored where nobody can guess or walk."""
import io
import zipfile

import pytest

from app.storage import LocalFileStore
from app.uploads import OLE2_MAGIC, UploadError, check_document, sniff

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DOC = OLE2_MAGIC + b"\x00" * 504


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")])
ODT = _zip([("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>")])


@pytest.mark.parametrize("data, kind", [(PDF, "pdf"), (DOCX, "docx"), (ODT, "odt"), (DOC, "doc"),
                                        (b"MZ\x90\x00program", None), (b"", None),
                                        (_zip([("a.txt", b"hello")]), None),
                                        (b"PK\x03\x04 not really a zip", None)])
def test_the_kind_of_a_document_comes_from_its_bytes(data, kind):
    assert sniff(data) == kind


def test_a_document_whose_name_agrees_with_its_content_is_accepted():
    assert check_document(PDF, "To khai.PDF").code == "pdf"
    assert check_document(DOCX, "mau.docx").mimetype.endswith("wordprocessingml.document")
    assert check_document(ODT, "mau.odt").code == "odt"
    assert check_document(DOC, "C:\\Users\\a\\mau.doc").code == "doc"


@pytest.mark.parametrize("data, name, code", [
    (b"MZ\x90\x00program", "to-khai.pdf", "bad_type"),       # a program named like a form
    (DOCX, "to-khai.pdf", "name_mismatch"),                  # Word file dressed as a PDF
    (PDF, "to-khai.docx", "name_mismatch"),
    (PDF, "to-khai", "name_mismatch"),
    (b"", "empty.pdf", "empty"),
    (PDF + b"0" * 20_000, "big.pdf", "too_large"),
])
def test_a_document_that_is_not_what_its_name_says_is_refused(data, name, code):
    with pytest.raises(UploadError) as caught:
        check_document(data, name, max_bytes=10_000)
    assert caught.value.code == code


def test_the_file_store_keeps_files_under_random_names_and_forgets_them(tmp_path):
    store = LocalFileStore(tmp_path)
    key = store.save(PDF, "templates")
    other = store.save(PDF, "templates")
    assert key != other and key.startswith("templates/") and len(key.split("/")[1]) == 32
    with store.open(key) as stream:
        assert stream.read() == PDF
    store.delete(key)
    store.delete(key)  # already gone: nothing happens
    with pytest.raises(FileNotFoundError):
        store.open(key)


@pytest.mark.parametrize("key", ["../secret", "templates/../../etc/passwd", "/etc/passwd",
                                 "templates/abc", "Templates/" + "0" * 32, ""])
def test_a_key_that_is_not_one_the_store_made_never_reaches_the_disk(tmp_path, key):
    store = LocalFileStore(tmp_path / "uploads")
    with pytest.raises(FileNotFoundError):
        store.open(key)
    store.delete(key)  # refused quietly, deletes nothing


def test_the_file_store_refuses_a_kind_that_is_not_a_plain_name(tmp_path):
    with pytest.raises(ValueError):
        LocalFileStore(tmp_path).save(PDF, "../outside")


def test_uploads_live_under_the_instance_folder_unless_told_otherwise(monkeypatch, tmp_path):
    from app.config import load_config

    monkeypatch.setenv("APP_ENV", "testing")
    monkeypatch.delenv("UPLOAD_DIR", raising=False)
    assert load_config(tmp_path)["UPLOAD_DIR"] == str(tmp_path / "uploads")
    monkeypatch.setenv("UPLOAD_DIR", "/srv/conglang/uploads")
    assert load_config(tmp_path)["UPLOAD_DIR"] == "/srv/conglang/uploads"
