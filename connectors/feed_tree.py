"""A news feed read as an lxml tree, when it is clean XML: the fast path of ``connectors.feeds.parse_feed``.

Why
  bs4 builds a Python object per element through parser callbacks; a scaled demo's feeds spent
  most of the news stage's parsing there. libxml2 builds the same tree in C. It is used only where
  it is the same document bs4 would see: well-formed, namespace-well-formed XML for which libxml2
  reports nothing at all, without a DTD. Anything else (recovered markup, an undeclared prefix, a
  redefined attribute, an undefined entity, a DOCTYPE, too deep for libxml2) returns ``None`` and
  the feed goes through bs4 as before, whose recovery mode this path does not imitate.

Safety
  The parser never resolves entities, loads a DTD or touches the network, and keeps libxml2's own
  limits (``huge_tree`` off): a feed nested past ``MAX_XML_DEPTH`` fails the strict parse and is refused by the
  bs4 path's builder, which counts to the same limit.

``FeedNode`` shows an element through the few bs4 ``Tag`` methods the item readers use (``name``,
``find``, ``find_all``, ``get``, ``[]``, ``get_text``), matching by local name in any namespace as bs4
does, so one reader serves both paths. Attribute values are libxml2's own, "&" as "&"; the bs4 path undoes
its parser's "&#38;" to read the same (``connectors.feed_soup.BoundedBuilder``).
"""

from __future__ import annotations

from itertools import islice

from lxml import etree

#: bs4's ``get_text()``: every text and CDATA node below, no comments or processing instructions.
_STRING = etree.XPath("string()", smart_strings=False)


def clean_root(text: str) -> etree._Element | None:
    """The root element of ``text`` when libxml2 parses it strictly without a single message; else ``None``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(text, parser)
    except (etree.XMLSyntaxError, ValueError):  # ValueError: a str that still declares its encoding
        return None
    if len(parser.error_log) or root.getroottree().docinfo.internalDTD is not None:
        return None
    return root


def feed_items(root: etree._Element, limit: int) -> list[FeedNode] | None:
    """As bs4 finds them: below the first ``rss`` or ``RDF`` element its items (any depth), below the first
    ``feed`` its entries (children), at most ``limit``; ``None`` when there is no such element."""
    found = next(root.iter("{*}rss", "{*}feed", "{*}RDF"), None)
    if found is None:
        return None
    if FeedNode(found).name in {"rss", "RDF"}:
        items = found.iterdescendants("{*}item")
    else:
        items = found.iterchildren("{*}entry")
    return [FeedNode(item) for item in islice(items, limit)]


class FeedNode:
    """An lxml element seen through bs4's ``Tag`` methods that the feed item readers call."""

    __slots__ = ("_element",)

    def __init__(self, element: etree._Element) -> None:
        self._element = element

    @property
    def name(self) -> str:
        return self._element.tag.rpartition("}")[2]

    def find(self, name: str, recursive: bool = True) -> FeedNode | None:
        element = self._element
        found = next((element.iterdescendants if recursive else element.iterchildren)("{*}" + name), None)
        return None if found is None else FeedNode(found)

    def find_all(self, name: str, recursive: bool = True) -> list[FeedNode]:
        element = self._element
        return [FeedNode(found) for found in (element.iterdescendants if recursive else element.iterchildren)("{*}" + name)]

    def get(self, key: str, default: str | None = None) -> str | None:
        return self._element.get(key, default)

    def __getitem__(self, key: str) -> str:
        return self._element.attrib[key]

    def get_text(self) -> str:
        return _STRING(self._element)


__all__ = ["FeedNode", "clean_root", "feed_items"]
