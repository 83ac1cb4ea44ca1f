"""The XML namespaces that identify each notice format, and the root elements that announce it.

Format detection looks only at the root element's qualified name: it is free once the document
is parsed, and both formats are unambiguous there.
"""

from __future__ import annotations

from typing import Final

UBL: Final = "urn:oasis:names:specification:ubl:schema:xsd:"

EFORMS_NS: dict[str, str] = {
    "cac": f"{UBL}CommonAggregateComponents-2",
    "cbc": f"{UBL}CommonBasicComponents-2",
    "ext": f"{UBL}CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}

def eforms_tag(prefixed: str) -> str:
    """The tag lxml gives an eForms element written with its usual prefix: "cbc:ID" -> "{...CommonBasicComponents-2}ID"."""
    prefix, _, name = prefixed.partition(":")
    return f"{{{EFORMS_NS[prefix]}}}{name}"


#: eForms notices are UBL documents of these three types, plus the business registration
#: notices (X01, X02), which have their own eForms namespace.
EFORMS_ROOT_TAGS: frozenset[str] = frozenset(
    [f"{{{UBL}{name}-2}}{name}" for name in ("PriorInformationNotice", "ContractNotice", "ContractAwardNotice")]
    + [
        "{http://data.europa.eu/p27/eforms-business-registration-information-notice/1}"
        "BusinessRegistrationInformationNotice"
    ]
)

#: Legacy exports: the root is ``TED_EXPORT`` whatever the schema version. R2.0.9 exports use
#: "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication", but older R2.0.9
#: releases wrote "ted/R2.0.9.S02/publication": the version, not the URI, identifies the schema.
TED_EXPORT_LOCAL_NAME: Final = "TED_EXPORT"
R209_VERSION: Final = "R2.0.9"


def is_r209(namespace: str | None, version: str | None) -> bool:
    """Whether a ``TED_EXPORT`` root with this namespace and ``@VERSION`` is schema R2.0.9."""
    if namespace:
        return R209_VERSION in namespace
    return (version or "").startswith(R209_VERSION)


def split_tag(tag: str) -> tuple[str | None, str]:
    """(namespace or None, local name) of a Clark-notation tag, as ``etree.QName`` gives them, at a third of the cost."""
    if tag[:1] == "{":
        namespace, _, localname = tag[1:].partition("}")
        return namespace, localname
    return None, tag
