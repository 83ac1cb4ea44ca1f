"""The CIR's SOAP 1.2 request envelopes (``connectors.insolvency`` sends them): WS-Addressing, a WS-Security
UsernameToken, the operation's parameters, every value escaped; and where an answer echoes the request's MessageID.

Built with lxml element builders, serialised once per operation and parameter names, then cut where the values go:
a request puts its values, escaped as lxml escapes text, between the pieces (the same bytes as setting them on the
elements, at a fraction of the cost: a first run asks once per watched company).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache

from lxml import etree
from lxml.builder import ElementMaker

from config.company_signals import InsolvencySettings

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
CIR = "http://www.rechtspraak.nl/namespaces/cir01"
#: The security header's validity: the service refuses a Timestamp that has expired.
TOKEN_LIFETIME = timedelta(minutes=5)


def build_envelope(operation: str, parameters: Iterable[tuple[str, str]], settings: InsolvencySettings, *,
                   message_id: str | None = None, now: datetime | None = None) -> bytes:
    """The SOAP 1.2 request for ``operation``: WS-Addressing header, UsernameToken, escaped parameters.

    The operation's envelope is serialised once, cut where the values go (``_envelope_parts``); this request's
    values, escaped as lxml escapes text, are put in between: the same bytes as setting them on a copy of the
    elements and serialising it, at a fraction of the cost (a first run asks once per watched company). A value
    that is not plain text (a control character: lxml refuses most) goes the elements' way."""
    created, expires = _stamps((now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0))
    values = list(parameters)
    names = tuple(name for name, _ in values)
    texts = [message_id or new_message_id(), settings.url, created, expires, f"UsernameToken-{_uuid4()}",
             settings.username, settings.password.get_secret_value(), created, *(value for _name, value in values)]
    try:  # (the pattern is one class of characters: the texts match it one by one if they do together)
        plain = _PLAIN_TEXT.fullmatch("".join(texts)) is not None
    except TypeError:  # a value that is not text: lxml says so
        plain = False
    if not plain:
        return _built_envelope(operation, names, texts)
    parts = _envelope_parts(operation, names)
    out = [parts[0]]
    for text, part in zip(texts, parts[1:], strict=True):
        out += (_escape(text), part)
    return b"".join(out)


def new_message_id() -> str:
    """A request's WS-Addressing MessageID (the answer's RelatesTo echoes it)."""
    return f"urn:uuid:{_uuid4()}"


def _uuid4() -> str:
    """A random (version 4) UUID as text."""
    return str(uuid.uuid4())


@lru_cache(maxsize=4)
def _stamps(second: datetime) -> tuple[str, str]:
    """The security header's Created and Expires for a moment in UTC (whole seconds: the same for every request in
    that second, written once)."""
    return second.strftime("%Y-%m-%dT%H:%M:%SZ"), (second + TOKEN_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")


def without_echo(answer: bytes, message_id: str) -> tuple[bytes, bytes] | None:
    """``answer`` cut where it echoes the request's ``message_id``, in the one place an echo may be: the text of the
    header's RelatesTo (no DTD, the id once, right after a RelatesTo start tag, before the Body). ``None`` for any
    other answer. The two pieces say all the answer says but that echo (``insolvency.listing`` keys on them)."""
    mark = message_id.encode()
    at = answer.find(mark)
    if at < 0 or b"<!DOCTYPE" in answer or answer.find(mark, at + 1) >= 0 or answer.find(b"Body", 0, at) >= 0:
        return None
    tag = answer.rfind(b"<", 0, at)
    if tag < 0 or not _RELATES_TO.fullmatch(answer, tag, at):
        return None
    return answer[:at], answer[at + len(mark):]


#: The start tag of a WS-Addressing RelatesTo (any prefix, maybe attributes), up to where its text begins.
_RELATES_TO = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?RelatesTo(?:\s[^<>]*)?>")
#: Text that lxml writes as it is but for ``&``, ``<`` and ``>`` (no carriage return, no control character).
_PLAIN_TEXT = re.compile("[\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
#: Stands for value number N while an envelope is serialised once (``_envelope_parts``).
_SLOT = re.compile(rb"@@slot(\d+)@@")


def _escape(text: str) -> bytes:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.encode("utf-8")


def _built_envelope(operation: str, names: tuple[str, ...], texts: list[str]) -> bytes:
    """The envelope with ``texts`` set on a copy of its elements (in ``build_envelope``'s order), serialised."""
    envelope = deepcopy(_envelope(operation, names))
    (_action, message, _reply, to, (timestamp, token)), (call_element,) = envelope
    username, password, created = token
    message.text, to.text, timestamp[0].text, timestamp[1].text = texts[:4]
    token.set(f"{{{WSU}}}Id", texts[4])
    username.text, password.text, created.text = texts[5:8]
    for element, value in zip(call_element, texts[8:], strict=True):
        element.text = value
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


@cache
def _envelope_parts(operation: str, names: tuple[str, ...]) -> tuple[bytes, ...]:
    """The envelope's bytes cut where each value goes, in ``build_envelope``'s order of values."""
    content = _built_envelope(operation, names, [f"@@slot{index}@@" for index in range(8 + len(names))])
    pieces = _SLOT.split(content)
    assert [int(n) for n in pieces[1::2]] == list(range(8 + len(names))), "every value's place, once, in order"
    return tuple(pieces[0::2])


@cache
def _envelope(operation: str, names: tuple[str, ...]) -> etree._Element:
    """The envelope of ``operation`` with these parameters, its values empty (``build_envelope`` copies it; a first
    run asks once per watched company, and building the elements was most of a request's own work)."""
    soap, wsa, wsse, wsu = (ElementMaker(namespace=ns, nsmap={p: ns}) for p, ns in
                            (("soap", SOAP12), ("wsa", WSA), ("wsse", WSSE), ("wsu", WSU)))
    cir = ElementMaker(namespace=CIR, nsmap={None: CIR})
    password = wsse.Password("")
    password.set("Type", PASSWORD_TEXT)
    token = wsse.UsernameToken(wsse.Username(""), password, wsu.Created(""))
    token.set(f"{{{WSU}}}Id", "")
    header = soap.Header(wsa.Action(f"{CIR}/{operation}"), wsa.MessageID(""), wsa.ReplyTo(wsa.Address(f"{WSA}/role/anonymous")),
                         wsa.To(""), wsse.Security(wsu.Timestamp(wsu.Created(""), wsu.Expires("")), token))
    return soap.Envelope(header, soap.Body(getattr(cir, operation)(*[getattr(cir, name)("") for name in names])))
