"""Open311's two formats from one structure. XML is the spec's required format: schemaless, no
namespace, UTF-8 with its declaration; JSON follows the Spark convention the spec names (the
XML's container elements become arrays, the rest objects), so both always carry the same
fields. Errors are the spec's list of code/description in either format."""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from flask import Response

# A container element and the element each of its items is.
ITEM_TAGS = {
    "services": "service", "attributes": "attribute", "values": "value",
    "service_requests": "request", "errors": "error", "endpoints": "endpoint",
    "formats": "format",
}
MIMETYPES = {"xml": "text/xml", "json": "application/json"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            element.append(_element(key, inner))
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[tag]
        for inner in value:
            element.append(_element(item_tag, inner))
    else:
        element.text = _text(value)
    return element


def to_xml(root: str, value) -> bytes:
    body = ET.tostring(_element(root, value), encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def respond(fmt: str, root: str, value, status: int = 200) -> Response:
    """`value` under the root element `root` (XML), or as it is (JSON)."""
    if fmt == "json":
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    else:
        body = to_xml(root, value)
    response = Response(body, status=status,
                        content_type=f"{MIMETYPES.get(fmt, 'text/xml')}; charset=utf-8")
    return response


def fmt_of_path(path: str) -> str:
    return "json" if path.rsplit("?", 1)[0].endswith(".json") else "xml"


def errors(fmt: str, status: int, *descriptions: str) -> Response:
    """The spec's error list; the code of each is the HTTP status (403 missing or wrong key,
    404 something that does not exist, 400 anything else)."""
    return respond(fmt, "errors", [{"code": status, "description": d} for d in descriptions],
                   status)
