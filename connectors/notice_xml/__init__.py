"""TED notice parsers: eForms (UBL) and legacy TED XML R2.0.9, behind one entry point.

``parse_notice`` looks at the root element to choose the parser, so callers (the TED connector,
the CLI, the benchmark) never need to know which format a file is in. Every failure is a
``RecordError`` naming the file, the notice and the field, so a batch can quarantine the one
notice and go on.

The modules are compiled to C by mypyc where the build is current (``native``); else they run as written.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from connectors.errors import NotANoticeError
from connectors.notice_xml import native

native.attach(__path__)  # the compiled modules, where built from these very sources: before any is imported

from connectors.notice_xml import eforms, ted_r209  # noqa: E402
from connectors.notice_xml.namespaces import EFORMS_ROOT_TAGS, TED_EXPORT_LOCAL_NAME, is_r209, split_tag  # noqa: E402
from connectors.notice_xml.safe_xml import parse_xml  # noqa: E402
from connectors.records import Notice  # noqa: E402

__all__ = ["parse_file", "parse_notice"]


def parse_notice(data: bytes, *, where: str) -> Notice:
    """The notice in ``data`` (eForms or TED R2.0.9); ``where`` names it in error messages.

    Raises ``NotANoticeError`` for XML (or HTML) that is neither format, and
    ``MalformedNoticeError`` for XML that is not well-formed or lacks a required field.
    """
    root = parse_xml(data, where, keep_blank_text=False)  # the parsers strip every text they read
    tag = root.tag  # read once: lxml builds the string on every read
    if tag in EFORMS_ROOT_TAGS:
        return eforms.parse(root, where)
    namespace, localname = split_tag(tag)
    if localname == TED_EXPORT_LOCAL_NAME:
        if is_r209(namespace, root.get("VERSION")):
            return ted_r209.parse(root, where, namespace=namespace or "")
        reason = f"a TED export in schema {namespace or '(no namespace)'}; only R2.0.9 is supported"
    else:
        reason = f"root element {{{namespace or ''}}}{localname} is neither an eForms notice nor TED_EXPORT"
    raise NotANoticeError(where, reason, field=localname)


def parse_file(path: str | PathLike[str]) -> Notice:
    """``parse_notice`` on a file, named in errors by its path."""
    path = Path(path)
    return parse_notice(path.read_bytes(), where=str(path))
