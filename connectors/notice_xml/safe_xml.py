"""Parsing untrusted XML (notices fetched from the internet) without giving it any power.

The parser never loads a DTD, never touches the network and never substitutes entities, so
neither a billion-laughs document nor an external entity pointing at ``file:///etc/passwd``
can cost memory or read a file. libxml2 refuses the billion-laughs document outright
(amplification limit); a smaller internal entity survives parsing as an unexpanded reference
node, which ``_drop_entity_references`` removes because XPath ``string()`` would otherwise
expand it when a field is read.
"""

from __future__ import annotations

import logging
import re
import threading

from lxml import etree

from connectors.errors import MalformedNoticeError, NotANoticeError

logger = logging.getLogger(__name__)

_local = threading.local()
_HTML_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_TAG_AT_FAULT = re.compile(r"in tag (\S+)|tag mismatch: (\S+)")
_RECORD_HINTS = (
    re.compile(rb"<efbc:NoticePublicationID[^>]*>\s*([^<\s]+)"),
    re.compile(rb"DOC_ID=\"([^\"]+)\""),
    re.compile(rb"<cbc:ID[^>]*schemeName=\"notice-id\"[^>]*>\s*([^<\s]+)"),
)


def safe_parser() -> etree.XMLParser:
    """This thread's parser: lxml parsers keep state while parsing, so threads do not share one."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
        )
        _local.parser = parser
    return parser


def parse_xml(data: bytes, where: str) -> etree._Element:
    """The root element of ``data``, or a one-line ``RecordError`` naming ``where``.

    An HTML page (an error page served instead of a notice) is a ``NotANoticeError``, not a
    broken notice: retrying the download may help, quarantining the "notice" would not.
    """
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        if _HTML_START.match(data[:2048]):
            raise NotANoticeError(where, "an HTML page, not an XML notice", field="html") from None
        raise MalformedNoticeError(
            where,
            f"not well-formed XML: {_one_line(error.msg or str(error))} (line {error.lineno})",
            record=sniff_record(data),
            field=_tag_at_fault(error.msg or ""),
        ) from None
    if root.getroottree().docinfo.internalDTD is not None:
        _drop_entity_references(root, where)
    return root


def sniff_record(data: bytes) -> str | None:
    """The notice id written near the start of a document that does not parse, for the error."""
    head = data[:65536]
    for pattern in _RECORD_HINTS:
        match = pattern.search(head)
        if match:
            return match.group(1).decode("ascii", "replace")
    return None


def _drop_entity_references(root: etree._Element, where: str) -> None:
    """Remove entity references (keeping the text after them) so nothing can expand them later."""
    for entity in list(root.iter(etree.Entity)):
        parent = entity.getparent()
        if parent is None:
            continue
        logger.debug("%s: dropped unexpanded entity reference %s", where, entity.text)
        tail = entity.tail or ""
        previous = entity.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(entity)


def _tag_at_fault(message: str) -> str | None:
    match = _TAG_AT_FAULT.search(message)
    return (match.group(1) or match.group(2)) if match else None


def _one_line(text: str) -> str:
    return " ".join(text.split())
