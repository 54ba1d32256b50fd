import pytest

from app.text import fold, normalize_phone, vietnamese_sort_key


@pytest.mark.parametrize("raw, expected", [
    ("0912345678", "0912345678"),
    ("0912 345 678", "0912345678"),
    ("091.234.5678", "0912345678"),
    ("+84 912 345 678", "0912345678"),
    ("84912345678", "0912345678"),
    ("0387-654-321", "0387654321"),
])
def test_vietnamese_mobile_numbers_are_accepted_as_people_type_them(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "0212345678", "091234567", "09123456789", "abc0912345678",
                                 "+1 912 345 678"])
def test_numbers_that_are_not_vietnamese_mobiles_are_refused(raw):
    assert normalize_phone(raw) is None


def test_search_folding_ignores_diacritics_and_d_stroke():
    assert fold("Hồ Sơ Đăng Ký Khai Sinh") == "ho so dang ky khai sinh"
    assert fold("  Xã   Đại Phúc ") == "xa dai phuc"
    assert fold("ho so") in fold("Tra cứu hồ sơ")


def test_names_sort_the_vietnamese_way():
    names = ["Đào", "Dương", "Ánh", "Âu", "Anh", "Bình", "Ăn", "An Bình"]
    assert sorted(names, key=vietnamese_sort_key) == ["An Bình", "Anh", "Ánh", "Ăn", "Âu", "Bình", "Dương", "Đào"]
