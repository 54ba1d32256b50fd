"""Case categories. A case's category is also the skill an officer must hold to take it, so
routing rules, officer skills and claims all speak the same small vocabulary."""
from __future__ import annotations

# key -> (Vietnamese, English)
CATEGORIES: dict[str, tuple[str, str]] = {
    "civil_status": ("Hộ tịch", "Civil status"),
    "residence": ("Cư trú", "Residence"),
    "certification": ("Chứng thực", "Certification"),
    "land": ("Đất đai", "Land"),
    "construction": ("Xây dựng", "Construction"),
    "social_support": ("Bảo trợ xã hội", "Social support"),
    "petition": ("Phản ánh, kiến nghị", "Feedback and petitions"),
    "field_report": ("Phản ánh hiện trường (đường, thoát nước, chiếu sáng, môi trường)",
                     "Field reports (roads, drainage, lighting, environment)"),
    "initiative": ("Sáng kiến cộng đồng", "Community initiatives"),
    "village_need": ("Nhu cầu của thôn", "Village needs"),
}


def category_label(key: str, locale: str = "vi") -> str:
    """The label in the reader's language; an unknown key is shown as it is rather than failing
    a page over a category added after this list."""
    labels = CATEGORIES.get(key)
    if labels is None:
        return key
    return labels[1] if locale == "en" else labels[0]
