"""Parsing untrusted XML (notices fetched from the internet) without giving it any power.

The parser never loads a DTD, never touches the network and never substitutes entities, so
neither a billion-laughs document nor an external entity pointing at ``file:///etc/passwd``
can cost memory or read a file. libxml2 refuses the billion-laughs document outright
(amplification limit); a smaller internal entity survives parsing as an unexpanded reference
node, which ``_drop_entity_references`` removes because XPath ``string()`` would otherwise
expand it when a field is read.

Every document also meets two limits, refused with the file or URL and the limit named:
``MAX_XML_BYTES`` (checked before parsing) and ``MAX_XML_DEPTH`` nested elements. The deepest real
document we have seen (eForms, CIR SOAP, R2.0.9, feeds, sanctions list) nests 13 deep; a hostile
one nests thousands deep to cost the parser or a recursive reader. The depth limit is libxml2's own
(``huge_tree`` off: 256 levels accepted, the 257th refused while parsing, so the cost stops there), given
our words (``refusal_for``); bs4's recovery mode, which has no such stop, counts to the same limit
(``connectors.feed_soup``).

Why not a stricter limit of our own (it was 64): no reader of ours recurses over elements (XPath,
``itertext`` and ``iterdescendants`` walk in C, and Python's recursion limit is far above 256 anyway), so a
document 65 to 256 deep costs nothing a shallow one of the same size does not; and checking it after the
parse was a walk over every element through libxml2's XPath, about 100 ns an element: a third of the bare
parse of the demo's 8 KB notices, 15% of parsing them (issue 20's bar is the parse within 2x lxml).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Final

from lxml import etree

from connectors.errors import MalformedNoticeError, NotANoticeError

logger: Final = logging.getLogger(__name__)

_local = threading.local()

#: Elements nested deeper than this refuse the document: libxml2's own limit without ``huge_tree`` (13 is the
#: deepest seen in real data; see the module docstring).
MAX_XML_DEPTH: Final = 256
#: A notice or SOAP answer larger than this is refused before parsing (the largest real one is under 2 MB).
MAX_XML_BYTES = 50_000_000  # not Final: a test lowers it
_LIBXML_DEPTH: Final = "Excessive depth in document"
_HTML_START: Final = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_TAG_AT_FAULT: Final = re.compile(r"in tag (\S+)|tag mismatch: (\S+)")
_RECORD_HINTS: Final = (
    re.compile(rb"<efbc:NoticePublicationID[^>]*>\s*([^<\s]+)"),
    re.compile(rb"DOC_ID=\"([^\"]+)\""),
    re.compile(rb"<cbc:ID[^>]*schemeName=\"notice-id\"[^>]*>\s*([^<\s]+)"),
)


def safe_parser(*, keep_blank_text: bool = True) -> etree.XMLParser:
    """This thread's parser: lxml parsers keep state while parsing, so threads do not share one.

    ``keep_blank_text=False``: the same parser, but libxml2 leaves out the whitespace-only text between elements
    (``remove_blank_text``; see ``parse_xml``)."""
    name = "parser" if keep_blank_text else "lean_parser"
    parser = getattr(_local, name, None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_blank_text=not keep_blank_text,
        )
        setattr(_local, name, parser)
    return parser


def parse_xml(data: bytes, where: str, *, keep_blank_text: bool = True) -> etree._Element:
    """The root element of ``data``, or a one-line ``RecordError`` naming ``where``.

    An HTML page (an error page served instead of a notice) is a ``NotANoticeError``, not a
    broken notice: retrying the download may help, quarantining the "notice" would not.

    ``keep_blank_text=False`` is for readers that strip every text they read and skip the blank ones (the notice
    parsers): the indentation between elements, about half of an indented document's nodes, is then never made
    (libxml2's ``XML_PARSE_NOBLANKS``), which makes parsing a demo notice and walking its tree about a tenth
    cheaper. libxml2 drops a text only where it is all whitespace, a tag follows it, it is not its element's sole
    content and no text of that element comes before it (and never under ``xml:space="preserve"``), so a reader that
    strips and skips blank texts reads the same either way: every demo notice (105,840 at scale 54) and every real one
    of ``shared/data/ted`` parse to equal notices (``tests/connectors/test_notice_blank_text.py``).
    """
    check_size(data, where)
    try:
        root = etree.fromstring(data, safe_parser(keep_blank_text=keep_blank_text))
    except etree.XMLSyntaxError as error:
        if _LIBXML_DEPTH in (error.msg or ""):
            raise depth_refusal(where) from None
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


def check_size(data: bytes, where: str, limit: int | None = None) -> None:
    """Refuse a document over ``limit`` (default ``MAX_XML_BYTES``) bytes before any parser sees it."""
    limit = MAX_XML_BYTES if limit is None else limit
    if len(data) > limit:
        raise MalformedNoticeError(where, f"the XML document is {len(data)} bytes, over the limit of {limit}; refused",
                                   field="size")


def depth_refusal(where: str) -> MalformedNoticeError:
    """The error for a document nested deeper than ``MAX_XML_DEPTH`` elements."""
    return MalformedNoticeError(where, f"XML elements nested deeper than the limit of {MAX_XML_DEPTH}; refused",
                                field="depth")


def refusal_for(error: etree.XMLSyntaxError, where: str) -> MalformedNoticeError | None:
    """Our words for libxml2's depth stop (past ``MAX_XML_DEPTH``), or None for any other syntax error."""
    return depth_refusal(where) if _LIBXML_DEPTH in (error.msg or str(error)) else None


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
