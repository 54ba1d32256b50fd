"""Reusing a paper online: what a resident sent with one dossier is in their papers, and the
online form of a later dossier that asks for the same kind of paper offers it instead of an
upload. The chosen paper is attached in the same write transaction as the rest of the save or
submit (a failed submit leaves the draft as it was), satisfies a required document like an
upload, and stays readable with both dossiers whatever happens to it in "My papers".
Someone else's paper, a paper of another kind, or no paper id at all: a message on the
document, 400, nothing changed."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Case, Dossier, DossierDraft, DossierFile, ProcedureDocument
from tests.access_matrix import PersonClient
from tests.factories import make_dossier_office, make_procedure, make_resident, make_unit

PASSWORD = "mat-khau-2026"
PDF = "%PDF-1.4 căn cước thử".encode()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"


@pytest.fixture
def world(app, session, tmp_path):
    """Two procedures of one office: A (birth registration) asks for the CCCD, B (residence)
    asks for a copy of the CCCD (required) and, optionally, a birth certificate."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    app.test_client_class = PersonClient
    office = make_dossier_office(session)
    first = office["procedure"]
    second = make_procedure(session, office["field"], name_vi="Đăng ký thường trú",
                            name_en="Permanent residence registration")
    for procedure in (first, second):
        procedure.online_level = "full"
    cccd_a = ProcedureDocument(procedure_id=first.id, position=1, name_vi="Căn cước công dân",
                               name_en="Citizen identity card", upload_required=True,
                               paper_type="cccd")
    cccd_b = ProcedureDocument(procedure_id=second.id, position=1, name_vi="Bản sao CCCD",
                               name_en="Copy of the identity card", upload_required=True,
                               paper_type="cccd")
    birth_b = ProcedureDocument(procedure_id=second.id, position=2, name_vi="Giấy khai sinh",
                                name_en="Birth certificate", upload_required=False,
                                paper_type="birth_certificate")
    session.add_all([cccd_a, cccd_b, birth_b])
    mai = make_resident(session, password=PASSWORD, full_name="Trần Thị Mai",
                        commune=office["commune"])
    lan = make_resident(session, password=PASSWORD, full_name="Lê Thị Lan",
                        commune=office["commune"])
    # A commune no department receives dossiers for: submitting there fails (no_route).
    nowhere = make_unit(session, level="commune", parent=office["province"])
    session.commit()
    return {**office, "first": first, "second": second, "cccd_a": cccd_a, "cccd_b": cccd_b,
            "birth_b": birth_b, "mai": mai, "lan": lan, "nowhere": nowhere,
            "store": tmp_path / "uploads"}


def _stored(world) -> int:
    root = Path(world["store"])
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def _count(session, model, *where) -> int:
    session.rollback()  # a new read: the requests wrote in their own sessions
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _browser(app, who, lang="vi"):
    client = app.test_client()
    assert client.login(who.phone or who.email, PASSWORD, lang=lang).status_code == 302
    return client


def _start(client, procedure, lang="vi") -> str:
    token = client.csrf_token(f"/{lang}/procedures/{procedure.code}")
    response = client.post(f"/{lang}/dossiers/start/{procedure.code}",
                           data={"csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"]


def _post(client, url, world, files=None, **values):
    data = {"csrf_token": client.csrf_token(url), "applicant_name": "Trần Thị Mai",
            "applicant_phone": "0912345678", "unit_id": str(world["commune"].id),
            "action": "submit", **values}
    for name, (content, filename) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(url, data=data, content_type="multipart/form-data")


def _submit_first(app, world, who) -> tuple[int, int]:
    """`who` submits dossier A with their CCCD uploaded: (case id, file id)."""
    client = _browser(app, who)
    url = _start(client, world["first"])
    response = _post(client, url, world, applicant_name=who.full_name,
                     files={f"doc_{world['cccd_a'].id}": (PDF, "Căn cước.pdf")})
    assert response.status_code == 302, response.page.get_text()
    case_id = int(re.search(r"/dossiers/(\d+)/receipt", response.headers["Location"])[1])
    return case_id, _file_of(client.application, case_id).id


def _file_of(app, case_id: int) -> DossierFile:
    from app.extensions import db

    db.session.rollback()
    return db.session.scalars(select(DossierFile).where(DossierFile.case_id == case_id)).one()


def _errors(page, document) -> str:
    box = page.select_one(f"#paper-{document.id} .error-message")
    return box.get_text() if box is not None else ""


def _draft_state(session, world):
    """Everything a refused request must leave alone: the draft's values and every file row."""
    session.rollback()
    drafts = [(d.id, d.applicant_name, d.unit_id, d.updated_at)
              for d in session.scalars(select(DossierDraft).order_by(DossierDraft.id))]
    files = [(f.id, f.draft_id, f.case_id, f.owner_id, f.document_id, f.storage_key)
             for f in session.scalars(select(DossierFile).order_by(DossierFile.id))]
    return drafts, files, _count(session, Dossier), _stored(world)


def test_online_uploads_become_the_residents_papers(app, session, world):
    case_id, file_id = _submit_first(app, world, world["mai"])
    item = session.get(DossierFile, file_id)
    assert (item.case_id, item.draft_id, item.owner_id, item.paper_type) == (
        case_id, None, world["mai"].id, "cccd")
    client = _browser(app, world["mai"], lang="en")
    page = client.get("/en/dossiers/papers").page
    assert page.select_one("section h2").get_text() == "Citizen identity card (CCCD)"
    assert page.select_one(f"a[href='/en/dossiers/files/{file_id}']").get_text() == "Căn cước.pdf"


def test_a_paper_sent_with_one_dossier_answers_the_next_without_uploading(app, session, world):
    first_case, first_file = _submit_first(app, world, world["mai"])
    assert _stored(world) == 1
    client = _browser(app, world["mai"], lang="en")
    url = _start(client, world["second"], lang="en")
    page = client.get(url).page

    # The offer: under the CCCD copy, not under the birth certificate (no paper of that kind).
    offer = page.select_one(f"#paper-{world['cccd_b'].id} fieldset.reuse")
    assert "Reuse a paper you sent before" in offer.legend.get_text()
    assert page.select_one(f"#paper-{world['birth_b'].id} fieldset.reuse") is None
    name = f"reuse_{world['cccd_b'].id}"
    radios = offer.select(f"input[type=radio][name={name}]")
    assert [r["value"] for r in radios] == ["0", str(first_file)]
    assert radios[0].has_attr("checked")  # nothing chosen until the resident chooses
    label = offer.select_one(f"label[for={radios[1]['id']}]").get_text()
    sent = _file_of(app, first_case).created_at
    assert "Căn cước.pdf" in label and re.search(r"\d\d/\d\d/\d{4}", label)
    assert sent.strftime("%Y") in label
    assert offer.select_one(f"a[href='/en/dossiers/files/{first_file}']") is not None

    # Submit B choosing it, uploading nothing: the required copy is answered.
    response = _post(client, url, world, **{name: str(first_file)})
    assert response.status_code == 302, response.page.get_text()
    second_case = int(re.search(r"/dossiers/(\d+)/receipt", response.headers["Location"])[1])
    assert second_case != first_case
    session.rollback()
    row = session.scalars(select(DossierFile).where(DossierFile.case_id == second_case)).one()
    source = session.get(DossierFile, first_file)
    assert row.id != first_file and row.storage_key == source.storage_key
    assert (row.owner_id, row.document_id, row.paper_type, row.purpose, row.draft_id) == (
        world["mai"].id, world["cccd_b"].id, "cccd", "submission", None)
    assert session.get(Case, second_case).state == 1
    assert _count(session, DossierDraft) == 0
    assert _stored(world) == 1  # one stored file, named by both dossiers

    # "My papers" lists it once; removing it there leaves both dossiers able to download it.
    papers = client.get("/en/dossiers/papers").page
    links = papers.select("a[href^='/en/dossiers/files/']")
    assert [a.get_text() for a in links] == ["Căn cước.pdf"]
    listed = links[0]["href"].rsplit("/", 1)[1]
    token = client.csrf_token("/en/dossiers/papers")
    assert client.post(f"/en/dossiers/papers/{listed}/remove",
                       data={"csrf_token": token}).status_code == 302
    assert "Căn cước.pdf" not in client.get("/en/dossiers/papers").page.get_text()
    for item in (first_file, row.id):
        download = client.get(f"/en/dossiers/files/{item}")
        assert download.status_code == 200 and download.data == PDF
    assert _stored(world) == 1
    # The office's view of B lists it too.
    receipt = client.get(f"/en/dossiers/{second_case}/receipt").page
    assert "Căn cước.pdf" in receipt.select_one("#papers-sent").get_text()


def test_the_offer_is_not_made_without_papers_or_once_the_document_has_a_file(app, session,
                                                                              world):
    client = _browser(app, world["mai"], lang="en")
    url = _start(client, world["second"], lang="en")
    assert client.get(url).page.select_one("fieldset.reuse") is None  # no papers yet
    _, first_file = _submit_first(app, world, world["mai"])
    assert client.get(url).page.select_one("fieldset.reuse") is not None
    # Saving with the choice puts the paper on the draft; the offer then gives way to it.
    response = _post(client, url, world, action="save",
                     **{f"reuse_{world['cccd_b'].id}": str(first_file)})
    assert response.status_code == 302
    page = client.get(url).page
    assert page.select_one("fieldset.reuse") is None
    assert "Căn cước.pdf" in page.select_one(f"#paper-{world['cccd_b'].id} .attached").get_text()
    session.rollback()
    row = session.scalars(select(DossierFile).where(DossierFile.draft_id.is_not(None))).one()
    assert (row.owner_id, row.document_id) == (world["mai"].id, world["cccd_b"].id)
    # A second press of Save with the same choice (a stale page) does not attach it twice.
    assert _post(client, url, world, action="save",
                 **{f"reuse_{world['cccd_b'].id}": str(first_file)}).status_code == 302
    assert _count(session, DossierFile, DossierFile.draft_id.is_not(None)) == 1
    # Submit: the paper saved on the draft answers the required copy.
    response = _post(client, url, world)
    assert response.status_code == 302
    assert _count(session, Dossier) == 2 and _stored(world) == 1


def test_someone_elses_paper_is_refused_and_nothing_changes(app, session, world):
    _, lans_file = _submit_first(app, world, world["lan"])
    _submit_first(app, world, world["mai"])  # Mai has papers too: the offer is there
    client = _browser(app, world["mai"], lang="en")
    url = _start(client, world["second"], lang="en")
    before = _draft_state(session, world)
    for action in ("save", "submit"):
        response = _post(client, url, world, action=action, applicant_name="Tên Mới",
                         **{f"reuse_{world['cccd_b'].id}": str(lans_file)})
        assert response.status_code == 400
        assert "not among your papers" in _errors(response.page, world["cccd_b"])
        # What was typed is kept on the page; nothing is kept in the database.
        assert response.page.select_one("#applicant_name")["value"] == "Tên Mới"
        assert _draft_state(session, world) == before
    # In Vietnamese too (a page in the page's language; English until the lead merges the PO).
    vi = _browser(app, world["mai"])
    response = _post(vi, url.replace("/en/", "/vi/"), world,
                     **{f"reuse_{world['cccd_b'].id}": str(lans_file)})
    assert response.status_code == 400 and _errors(response.page, world["cccd_b"])
    assert response.page.html["lang"] == "vi"
    assert _draft_state(session, world) == before


@pytest.mark.parametrize("value, message", [
    ("FILE", "not the kind this document asks for"),   # a CCCD for the birth certificate
    ("abc", "Choose one of the papers listed"),
    ("-1", "Choose one of the papers listed"),
    ("2147483648", "Choose one of the papers listed"),
    ("١٢", "Choose one of the papers listed"),
    ("999999", "not among your papers"),
])
def test_a_paper_of_another_kind_or_no_paper_id_is_refused(app, session, world, value, message):
    _, mais_file = _submit_first(app, world, world["mai"])
    client = _browser(app, world["mai"], lang="en")
    url = _start(client, world["second"], lang="en")
    before = _draft_state(session, world)
    chosen = str(mais_file) if value == "FILE" else value
    response = _post(client, url, world, action="save",
                     **{f"reuse_{world['birth_b'].id}": chosen})
    assert response.status_code == 400
    assert message in _errors(response.page, world["birth_b"])
    # The summary links to the document's field.
    summary = response.page.select_one(".error-summary a[href='#doc_%d']" % world["birth_b"].id)
    assert summary is not None and message in summary.get_text()
    assert _draft_state(session, world) == before


def test_a_paper_kept_only_on_another_draft_is_not_in_the_residents_papers(app, session, world):
    client = _browser(app, world["mai"], lang="en")
    url_a = _start(client, world["first"], lang="en")
    assert _post(client, url_a, world, action="save",
                 files={f"doc_{world['cccd_a'].id}": (PDF, "Căn cước.pdf")}).status_code == 302
    session.rollback()
    on_draft = session.scalars(select(DossierFile)).one().id
    url_b = _start(client, world["second"], lang="en")
    assert client.get(url_b).page.select_one("fieldset.reuse") is None
    response = _post(client, url_b, world, **{f"reuse_{world['cccd_b'].id}": str(on_draft)})
    assert response.status_code == 400
    assert "not among your papers" in _errors(response.page, world["cccd_b"])


def test_a_required_document_needs_an_upload_or_a_reused_paper(app, session, world):
    _submit_first(app, world, world["mai"])
    client = _browser(app, world["mai"], lang="en")
    url = _start(client, world["second"], lang="en")
    response = _post(client, url, world)  # neither
    assert response.status_code == 400
    assert "Upload this paper" in _errors(response.page, world["cccd_b"])
    assert _count(session, Dossier) == 1


def test_a_failed_submit_leaves_the_draft_as_it_was(app, session, world):
    """The reuse is part of the submit's transaction: refused for another reason (no office of
    the chosen commune receives it), the draft has no copy of the paper afterwards."""
    _, first_file = _submit_first(app, world, world["mai"])
    client = _browser(app, world["mai"], lang="en")
    url = _start(client, world["second"], lang="en")
    before = _draft_state(session, world)
    response = _post(client, url, world, unit_id=str(world["nowhere"].id),
                     **{f"reuse_{world['cccd_b'].id}": str(first_file)})
    assert response.status_code == 400
    assert _draft_state(session, world) == before
    # The choice is still made on the page shown again.
    radio = response.page.select_one(f"input[name=reuse_{world['cccd_b'].id}][checked]")
    assert radio["value"] == str(first_file)


def test_a_paper_removed_meanwhile_is_refused_on_submit(app, session, world):
    """Chosen on the page, then removed from "My papers" in another tab before Submit."""
    _, first_file = _submit_first(app, world, world["mai"])
    client = _browser(app, world["mai"], lang="en")
    url = _start(client, world["second"], lang="en")
    token = client.csrf_token("/en/dossiers/papers")
    assert client.post(f"/en/dossiers/papers/{first_file}/remove",
                       data={"csrf_token": token}).status_code == 302
    response = _post(client, url, world, **{f"reuse_{world['cccd_b'].id}": str(first_file)})
    assert response.status_code == 400
    assert "not among your papers" in _errors(response.page, world["cccd_b"])
    assert _count(session, Dossier) == 1 and _count(session, DossierDraft) == 1
