"""The bs4 path of ``connectors.feeds``: beautifulsoup4's ``lxml-xml`` builder, safe, bounded, reading "&" as "&".

Why
  A feed libxml2 has anything to say about (recovered markup, an undeclared prefix...) is read through
  bs4 in recovery mode, as it always was; clean XML takes the faster ``connectors.feed_tree``. Both
  must read the same values: this builder hands bs4 attribute values as written, the way libxml2's
  own tree has them.

Safety
  The parser never resolves entities, loads a DTD or touches the network; ``BoundedBuilder`` stops
  at ``MAX_XML_DEPTH`` nested elements (recovery mode does not stop at libxml2's own limit).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from bs4.builder import LXMLTreeBuilderForXML
from lxml import etree

from connectors.notice_xml.safe_xml import MAX_XML_DEPTH


@functools.cache
def parser_class() -> Callable[..., etree.XMLParser]:
    return functools.partial(etree.XMLParser, resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False)


class TooDeep(Exception):
    """Raised inside the parser by ``BoundedBuilder``; ``parse_feed`` turns it into a ``RecordError``."""


class BoundedBuilder(LXMLTreeBuilderForXML):
    """bs4's XML builder that stops at ``MAX_XML_DEPTH`` nested elements, with attribute values as written.

    bs4 parses in recovery mode, which does not stop at libxml2's own depth limit: a 1.4 MB feed
    nested 200,000 deep took 5 s to build, and a 20 MB one would take over a minute. Counting in
    the parser's start and end callbacks stops it at the first element too deep.

    libxml2 (2.14) hands a parser target every "&" of an attribute value (``&amp;``, ``&#38;``) as the
    reference "&#38;" when entities are not resolved; kept, an Atom link's query string became the
    broken URL ``?a=1&#38;b=2``. ``start`` turns it back into "&", as the fast path's tree reads it.
    """

    depth = 0

    def start(self, tag: Any, attrib: Any, nsmap: Any = {}) -> None:  # noqa: B006 (bs4's signature)
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise TooDeep
        super().start(tag, real_ampersands(attrib) if attrib else attrib, nsmap)

    def end(self, tag: Any) -> None:
        self.depth -= 1
        super().end(tag)


def real_ampersands(attrib: dict[str, str]) -> dict[str, str]:
    """``attrib`` with the target's reference for "&" read as "&" (every "&" is sent so: the reverse is exact)."""
    reference = target_ampersand()
    if reference == "&" or not any("&" in value for value in attrib.values()):
        return attrib
    return {key: value.replace(reference, "&") for key, value in attrib.items()}


@functools.cache
def target_ampersand() -> str:
    """What this libxml2 hands a parser target for ``&amp;`` in an attribute: "&#38;" with 2.14, "&" before."""

    class Target:
        value = ""

        def start(self, tag: str, attrib: dict[str, str], nsmap: object = None) -> None:
            self.value = attrib.get("v", "")

        def close(self) -> str:
            return self.value

    parser = etree.XMLParser(target=Target(), resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, recover=True)
    return etree.fromstring('<a v="&amp;"/>', parser)


def safe_builder() -> LXMLTreeBuilderForXML:
    """bs4's XML builder on an lxml parser without entities, DTDs or network, bounded in depth."""
    return BoundedBuilder(parser=parser_class())


__all__ = ["BoundedBuilder", "TooDeep", "real_ampersands", "safe_builder"]
