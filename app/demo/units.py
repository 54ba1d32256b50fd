"""Demo geography: one province after the 1 July 2025 reorganisation, its communes and wards,
and villages (thôn, xóm, tổ dân phố) under each."""
from __future__ import annotations

PROVINCE = ("19", "Tỉnh Thái Nguyên", "Thai Nguyen Province")

COMMUNES = [
    ("05500", "Phường Phan Đình Phùng", "Phan Dinh Phung Ward",
     ["Tổ dân phố 1", "Tổ dân phố 5", "Tổ dân phố 12"]),
    ("05600", "Xã Đại Phúc", "Dai Phuc Commune",
     ["Thôn Đồng Bầu", "Thôn Tân Lập", "Thôn Khuôn Ngục", "Thôn Na Mao"]),
    ("05700", "Xã Phú Bình", "Phu Binh Commune",
     ["Xóm Đồng Quang", "Xóm Trại", "Xóm Hanh"]),
    ("05800", "Xã Định Hóa", "Dinh Hoa Commune",
     ["Thôn Bản Lác", "Thôn Nà Tấc", "Thôn Khẩu Đưa"]),
    ("05900", "Xã Võ Nhai", "Vo Nhai Commune",
     ["Xóm Đồng Ẻn", "Xóm Cúc Đường", "Xóm Thượng Kim"]),
    ("06000", "Phường Sông Công", "Song Cong Ward",
     ["Tổ dân phố Tân Thành", "Tổ dân phố Lòng Thuyền", "Tổ dân phố Cải Đan"]),
]


def village_english(name_vi: str) -> str:
    """'Thôn Tân Lập' -> 'Tan Lap Village' without a dictionary: folded name plus its kind."""
    from app.text import fold

    kinds = {"thôn": "Village", "xóm": "Hamlet", "tổ dân phố": "Residential Group"}
    lower = name_vi.lower()
    for prefix, english in kinds.items():
        if lower.startswith(prefix + " "):
            rest = name_vi[len(prefix) + 1:]
            return f"{english} {rest}" if rest[:1].isdigit() else f"{fold(rest).title()} {english}"
    return fold(name_vi).title()
