"""Small helpers over precompiled XPath and child iteration, shared by the two notice parsers.

XPath expressions are compiled once (``etree.XPath``) because compiling costs more than
evaluating on a small notice, without the EXSLT regular-expression functions (``regexp=False``)
and with only the namespace prefixes each path uses: lxml registers both anew on every call
(a quarter of a small call's cost; no path uses the regex functions). For records read many times per notice (addresses,
awards, an eForms notice result, a company, a lot) one pass over an element's children is cheaper than one XPath call
per field: an XPath call costs about a microsecond whatever it finds, a child in a walk about a sixth of that (its proxy and
its tag). Reading a child's ``tag`` builds the "{namespace}name" string each time, so each tag is read once; the
``node_text`` helpers read the same text nodes as the ``.../text()`` paths they stand in for.

The walks (here and in the parsers) go over a slice of the children (``for child in element[:]``), not the
element's own iterator: lxml's iterator sets up a tag matcher for every walk and makes each child's proxy a step
ahead, while the slice makes the same children (comments and processing instructions included, as iteration
gives them) in one call. A walk over every element of a demo notice cost a third less (25 us in place of 37).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lxml import etree

from connectors.errors import MalformedNoticeError


def compiler(namespaces: Mapping[str, str]) -> Callable[[str], etree.XPath]:
    """A function compiling XPath with the given prefixes, so each parser declares them once."""

    def compile_(path: str) -> etree.XPath:
        # Only the prefixes the path uses: lxml registers every given prefix anew on each call.
        used = {prefix: uri for prefix, uri in namespaces.items() if f"{prefix}:" in path}
        return etree.XPath(path, namespaces=used, smart_strings=False, regexp=False)

    return compile_


def prefixed_compiler(prefix: str, namespace: str) -> Callable[[str], etree.XPath]:
    """A compiler for a schema whose namespace varies between documents (TED exports).

    ``prefix`` is bound to ``namespace``, or dropped from the paths when the document has no
    namespace, since XPath cannot bind a prefix to the empty namespace.
    """
    if namespace:
        return compiler({prefix: namespace})

    def compile_(path: str) -> etree.XPath:
        return etree.XPath(path.replace(f"{prefix}:", ""), smart_strings=False, regexp=False)

    return compile_


def qualified(namespace: str | None, name: str) -> str:
    """The tag lxml gives element ``name`` in ``namespace`` (Clark notation)."""
    return f"{{{namespace}}}{name}" if namespace else name


def first(xpath: etree.XPath, node: Any) -> Any | None:
    """The first result of ``xpath`` on ``node``, or ``None``."""
    found = xpath(node)
    return found[0] if found else None


def text(xpath: etree.XPath, node: Any) -> str | None:
    """The first non-blank text ``xpath`` (ending in ``text()`` or ``@attr``) finds, stripped."""
    values = xpath(node)
    if len(values) == 1:  # nearly always: skip the loop
        return values[0].strip() or None
    for value in values:
        value = value.strip()
        if value:
            return value
    return None


def texts(xpath: etree.XPath, node: Any) -> list[str]:
    """Every non-blank text ``xpath`` finds, stripped, in document order."""
    return [value for value in map(str.strip, xpath(node)) if value]


def joined(xpath: etree.XPath, node: Any) -> str | None:
    """Texts found by ``xpath`` joined by single spaces (legacy titles split over ``<P>``).

    The texts are joined as found: blank ones and the spaces around them vanish in the split, as they would if
    ``texts`` had stripped and dropped them first (one R2.0.9 title a notice, without that list)."""
    return " ".join(" ".join(xpath(node)).split()) or None


def element_text(element: Any | None) -> str | None:
    """An element's own text, stripped; ``None`` for a missing or empty element."""
    if element is None:
        return None
    value = element.text  # read once: lxml builds a new string on every read
    return None if value is None else value.strip() or None


def in_language(elements: Iterable[Any], language: str | None) -> str | None:
    """The text of the element in ``language`` (``@languageID``), else of the first non-empty one.

    Multilingual eForms notices repeat names and titles per language; the notice's own
    language is the one the buyer wrote, the others are translations.
    """
    fallback = None
    for element in elements:
        value = element.text  # ``element_text`` written out: names and titles, about five a notice
        if value is None or not (value := value.strip()):
            continue
        if language is None or element.get("languageID") == language:
            return value
        if fallback is None:
            fallback = value
    return fallback


def required(value: Any | None, where: str, record: str | None, field: str, what: str) -> Any:
    """``value``, or a ``MalformedNoticeError`` saying which required field is missing."""
    # ``value == ""`` only for text: a record (the buyer ``Party``) would compare through its dataclass ``__eq__``.
    if value is None or (isinstance(value, str) and not value):
        raise MalformedNoticeError(where, f"no {what}", record=record, field=field)
    return value


def node_text(element: Any) -> str | None:
    """The first non-blank text node of ``element``, stripped: what ``text(path/text(), ...)`` gives for one element.

    XPath ``text()`` returns an element's text nodes: lxml's ``.text`` (the text before its first child,
    adjacent text nodes merged as libxml2 merges them when parsing) and the ``.tail`` of each child (comments
    and processing instructions included). Used by the child walks that replace XPath calls.
    """
    value = element.text
    if value is not None:
        value = value.strip()
        if value:
            return value
    return tail_text(element)


def tail_text(element: Any) -> str | None:
    """The first non-blank ``.tail`` of ``element``'s children, stripped: ``node_text`` past an element's own text."""
    for child in element[:]:
        tail = child.tail
        if tail is not None:
            tail = tail.strip()
            if tail:
                return tail
    return None


def add_node_texts(found: list[str], element: Any) -> None:
    """Append every non-blank text node of ``element``, stripped (what ``texts(path/text(), ...)`` collects)."""
    value = element.text
    if value is not None:
        value = value.strip()
        if value:
            found.append(value)
    for child in element[:]:
        tail = child.tail
        if tail is not None:
            tail = tail.strip()
            if tail:
                found.append(tail)


def first_child(element: Any, tag: str) -> Any | None:
    """The first child of ``element`` with ``tag`` (Clark notation), or ``None``."""
    for child in element[:]:
        if child.tag == tag:
            return child
    return None


def child_text(element: Any, tag: str) -> str | None:
    """The first non-blank text node of the ``tag`` children of ``element`` (``text(tag/text())``), stripped.

    ``node_text`` written out for the child's own text (nearly always the answer): about ten calls a notice, where
    the call cost more than the read."""
    for child in element[:]:
        if child.tag == tag:
            value = child.text
            if value is not None and (value := value.strip()):
                return value
            value = tail_text(child)
            if value is not None:
                return value
    return None


def first_node_text(elements: Iterable[Any]) -> str | None:
    """The first non-blank text node of ``elements`` (in document order), stripped: ``text(path/text(), ...)`` where
    ``path`` finds ``elements``.

    ``node_text`` written out (an element's own text nearly always answers): the notice's ids, dates and languages."""
    for element in elements:
        value = element.text
        if value is not None and (value := value.strip()):
            return value
        value = tail_text(element)
        if value is not None:
            return value
    return None


def first_attribute(elements: Iterable[Any], name: str) -> str | None:
    """The first non-blank ``name`` attribute of ``elements``, stripped: ``text(path/@name, ...)`` where ``path`` finds
    ``elements``."""
    for element in elements:
        value = element.get(name)
        if value is not None:
            value = value.strip()
            if value:
                return value
    return None

