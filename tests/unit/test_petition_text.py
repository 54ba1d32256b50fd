"""The pure text rules of petitions: which words hold a text for a moderator, what of a
petition's words the public may read, and the tracking rules a code and a phone are read by."""
from __future__ import annotations

import pytest

from app.abusive import abusive_terms_in, is_abusive
from app.petitions.privacy import MASK, redact
from app.tracking import clean_code, contact_matches


@pytest.mark.parametrize("text, terms", [
    ("Cán bộ xã là đồ chó, làm việc chậm.", ["đồ chó"]),
    ("ĐM, hẹn mãi không xong!", ["đm"]),
    ("đ.m cán bộ", ["đ.m"]),
    ("Shit. Fucking slow.", ["fucking", "shit"]),
    ("Thái độ MẤT DẠY", ["mất dạy"]),
])
def test_abusive_words_are_found_whole_and_with_their_tones(text, terms):
    assert sorted(abusive_terms_in(text)) == sorted(terms)
    assert is_abusive("Tiêu đề bình thường", text)


@pytest.mark.parametrize("text", [
    "Con đi chợ về thì đường ngập.",             # "đi", not "đĩ"
    "Hố sâu 5 dm trên đường liên thôn.",        # a decimetre
    "Xin hỗ trợ giống cây óc chó cho thôn.",    # walnut trees
    "Xác chó chết ven suối chưa được dọn.",     # a dead dog reported
    "Đề nghị xử lý thả rông súc vật.",          # livestock
    "Chúng tôi bức xúc vì hồ sơ chậm ba tháng.",  # criticism is not abuse
])
def test_ordinary_words_that_look_like_insults_are_not_held(text):
    assert abusive_terms_in(text) == []


def test_redaction_masks_contacts_ids_and_the_askers_name():
    text = ("Tôi là Nguyễn Thị Bích Ngọc (nguyễn thị bích ngọc), CCCD 001199012345, CMND "
            "123456789, gọi 0933.444.555, +84 912 345 678 hoặc ngoc@example.vn. "
            "Hỗ trợ 1.500.000 đồng cho 20 hộ, năm 2026, mã PA-261207-3F9A1C.")
    shown = redact(text, ("Nguyễn Thị Bích Ngọc", None))
    for secret in ("Bích Ngọc", "bích ngọc", "001199012345", "123456789", "0933.444.555",
                   "912 345 678", "ngoc@example.vn"):
        assert secret not in shown
    for kept in ("1.500.000 đồng", "20 hộ", "năm 2026", "PA-261207-3F9A1C"):
        assert kept in shown
    assert shown.count(MASK) == 7


def test_a_single_word_name_is_not_masked_everywhere():
    assert redact("An toàn giao thông", ("An",)) == "An toàn giao thông"


@pytest.mark.parametrize("typed, expected", [
    (" pa-261207-3f9a1c ", "PA-261207-3F9A1C"), ("", None), ("x" * 41, None)])
def test_a_code_is_read_as_people_copy_it(typed, expected):
    assert clean_code(typed) == expected


@pytest.mark.parametrize("typed, phone, id_number, matches", [
    ("0912 345 678", "0912345678", None, True),
    ("+84912345678", "0912345678", None, True),
    ("0912345679", "0912345678", None, False),
    ("001203004005", None, "001203004005", True),
    ("", "0912345678", None, False),
    ("0912345678", None, None, False),
])
def test_the_contact_is_the_phone_or_the_id_number_given(typed, phone, id_number, matches):
    assert contact_matches(typed, phone, id_number) is matches
