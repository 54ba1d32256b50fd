"""Procedure form schemas: what the administration may save, and the forms built from them."""
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from app.procedures.schema import SchemaError, build_form_class, validate_schema

BIRTH = [
    {"name": "child_name", "type": "text", "label_vi": "Họ tên trẻ", "label_en": "Child's name",
     "required": True},
    {"name": "birth_date", "type": "date", "label_vi": "Ngày sinh", "label_en": "Date of birth",
     "required": True},
    {"name": "weight", "type": "number", "label_vi": "Cân nặng (g)", "label_en": "Weight (g)"},
    {"name": "sex", "type": "choice", "label_vi": "Giới tính", "label_en": "Sex", "required": True,
     "choices": [{"value": "nam", "label_vi": "Nam", "label_en": "Male"},
                 {"value": "nu", "label_vi": "Nữ", "label_en": "Female"}]},
    {"name": "mother_id", "type": "id_number", "label_vi": "Số CCCD của mẹ",
     "label_en": "Mother's ID number", "required": True},
    {"name": "phone", "type": "phone", "label_vi": "Điện thoại", "label_en": "Phone"},
]


@pytest.fixture(scope="module")
def app():
    from app import create_app

    return create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "SERVER_NAME": None, "RATELIMIT_ENABLED": False})


def _page(app, lang):
    """A request for a page in `lang` (the language comes from the URL once the request's
    preprocessors run, which a bare test_request_context does not do)."""
    return app.test_request_context(f"/{lang}/", headers={"Accept-Language": lang})


def _codes(raw) -> list[str]:
    with pytest.raises(SchemaError) as caught:
        validate_schema(raw)
    return [p.code for p in caught.value.problems]


def test_a_well_formed_schema_is_kept_in_order_with_labels_trimmed():
    raw = [dict(BIRTH[0], label_vi="  Họ tên   trẻ ")] + BIRTH[1:]
    clean = validate_schema(raw)
    assert [f["name"] for f in clean] == [f["name"] for f in BIRTH]
    assert clean[0]["label_vi"] == "Họ tên trẻ"
    assert clean[2]["required"] is False and "choices" not in clean[2]
    assert validate_schema([]) == []


@pytest.mark.parametrize("field, code", [
    ({"name": "Child Name"}, "bad_name"),
    ({"name": "1child"}, "bad_name"),
    ({"name": "data"}, "reserved_name"),
    ({"name": "csrf_token"}, "reserved_name"),
    ({"type": "email"}, "bad_type"),
    ({"label_vi": " "}, "label_vi"),
    ({"label_en": None}, "label_en"),
    ({"required": "yes"}, "bad_required"),
    ({"choices": [{"value": "a", "label_vi": "A", "label_en": "A"}]}, "choices_unexpected"),
    ({"colour": "red"}, "unknown_key"),
])
def test_a_broken_field_is_refused_with_the_reason(field, code):
    assert code in _codes([dict(BIRTH[0], **field)])


def test_choices_are_required_for_a_choice_field_and_must_be_complete():
    sex = BIRTH[3]
    assert "choices_missing" in _codes([{k: v for k, v in sex.items() if k != "choices"}])
    assert "choices_missing" in _codes([dict(sex, choices=[])])
    assert "bad_choice" in _codes([dict(sex, choices=[{"value": "nam", "label_vi": "Nam"}])])
    twice = [{"value": "x", "label_vi": "X", "label_en": "X"}] * 2
    assert "duplicate_choice" in _codes([dict(sex, choices=twice)])


def test_two_fields_with_one_name_and_a_schema_that_is_not_a_list_are_refused():
    assert _codes([BIRTH[0], BIRTH[0]]) == ["duplicate_name"]
    assert _codes({"name": "x"}) == ["not_a_list"]
    assert _codes(["text"]) == ["not_an_object"]


def test_every_problem_is_reported_at_once_and_numbered_as_a_person_counts(app):
    with _page(app, "en"):
        with pytest.raises(SchemaError) as caught:
            validate_schema([BIRTH[0], {"name": "x", "type": "colour", "label_vi": "X",
                                        "label_en": "X"}, {"name": "Bad"}])
        messages = [p.message() for p in caught.value.problems]
    assert any(m.startswith("Field 2:") for m in messages)
    assert sum(m.startswith("Field 3:") for m in messages) >= 3


def _form(app, data, lang="vi"):
    cls = build_form_class(BIRTH, lang)
    form = cls(formdata=MultiDict(data), meta={"csrf": False})
    return form, form.validate()


GOOD = {"child_name": "Nguyễn Văn Bình", "birth_date": "2026-03-02", "weight": "3200",
        "sex": "nam", "mother_id": "001 234 567 890", "phone": "0912.345.678"}


def test_a_form_built_from_a_schema_accepts_good_answers_and_normalises_them(app):
    with _page(app, "vi"):
        form, ok = _form(app, GOOD)
        assert ok, form.errors
        assert form.birth_date.data == date(2026, 3, 2)
        assert form.weight.data == 3200
        assert form.mother_id.data == "001234567890"
        assert form.phone.data == "0912345678"
        assert form.child_name.label.text == "Họ tên trẻ"
        assert [f.name for f in form][:6] == [f["name"] for f in BIRTH]


def test_id_numbers_have_9_or_12_digits_and_phones_are_vietnamese_mobiles(app):
    with _page(app, "en"):
        for bad_id in ("12345678", "1234567890", "12345678901", "12345678901a"):
            form, ok = _form(app, dict(GOOD, mother_id=bad_id), "en")
            assert not ok and "9 digits" in form.mother_id.errors[0]
        form, ok = _form(app, dict(GOOD, mother_id="123456789"), "en")
        assert ok
        form, ok = _form(app, dict(GOOD, phone="0212345678"), "en")
        assert not ok and form.phone.errors
        assert form.child_name.label.text == "Child's name"


def test_required_fields_dates_numbers_and_choices_are_checked(app):
    with _page(app, "en"):
        form, ok = _form(app, dict(GOOD, child_name="", birth_date="31/02/2026", weight="-5",
                                   sex="other"), "en")
        assert not ok
        assert set(form.errors) == {"child_name", "birth_date", "weight", "sex"}
        form, ok = _form(app, dict(GOOD, birth_date="02/03/2026", weight="", phone=""), "en")
        assert ok, form.errors  # optional fields may stay empty; dd/mm/yyyy is understood


def test_a_broken_schema_never_becomes_a_form():
    with pytest.raises(SchemaError):
        build_form_class([{"name": "x", "type": "file", "label_vi": "X", "label_en": "X"}])
