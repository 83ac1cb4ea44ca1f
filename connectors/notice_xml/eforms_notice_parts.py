"""The parts of an eForms notice read from its root and its ``efext:EformsExtension``, in one walk over each.

The notice's own fields (identifier, dates, type, language, buyer reference, procedure, project, lots) are
children of the root, or a few single-child levels below it; the publication, the subtype and the notice
result are children of the extension. Ten XPath calls read them before, each about a microsecond whatever
it found; a walk over the root's children (about sixteen) and the extension's (about five) reads each tag
once and costs less. Each reader gives what the path it replaces (named beside it) gave: the first match,
or the first non-blank text node in document order (``first_node_text``, ``child_text``).
"""

from __future__ import annotations

from typing import Any, Final

from connectors.notice_xml.namespaces import eforms_tag
from connectors.notice_xml.xpath import child_text, first_child, node_text

_ID: Final = eforms_tag("cbc:ID")
_ISSUE_DATE: Final = eforms_tag("cbc:IssueDate")
_NOTICE_TYPE: Final = eforms_tag("cbc:NoticeTypeCode")
_LANGUAGE: Final = eforms_tag("cbc:NoticeLanguageCode")
_CONTRACTING_PARTY: Final = eforms_tag("cac:ContractingParty")
_PARTY: Final = eforms_tag("cac:Party")
_PARTY_ID: Final = eforms_tag("cac:PartyIdentification")
_TENDERING_PROCESS: Final = eforms_tag('cac:TenderingProcess')
_PROCEDURE_CODE: Final = eforms_tag('cbc:ProcedureCode')
_PROJECT: Final = eforms_tag('cac:ProcurementProject')
_LOT: Final = eforms_tag('cac:ProcurementProjectLot')
_EXTENSIONS: Final = eforms_tag("ext:UBLExtensions")
_EXTENSION: Final = eforms_tag("ext:UBLExtension")
_CONTENT: Final = eforms_tag("ext:ExtensionContent")
_EFORMS: Final = eforms_tag("efext:EformsExtension")
_PUBLICATION: Final = eforms_tag("efac:Publication")
_PUBLICATION_ID: Final = eforms_tag("efbc:NoticePublicationID")
_PUBLICATION_DATE: Final = eforms_tag("efbc:PublicationDate")
_SUBTYPE: Final = eforms_tag('efac:NoticeSubType')
_SUBTYPE_CODE: Final = eforms_tag('cbc:SubTypeCode')
_NOTICE_RESULT: Final = eforms_tag("efac:NoticeResult")
_CHANGES: Final = eforms_tag('efac:Changes')
_CHANGED_NOTICE: Final = eforms_tag('efbc:ChangedNoticeIdentifier')


class RootParts:
    """The root's children the parser reads, sorted by tag (each list in document order)."""

    __slots__ = ("contracting_parties", "extensions", "ids", "issue_dates", "languages", "lots", "processes", "project",
                 "type_code")

    def __init__(self, root: Any) -> None:
        self.ids: list[Any] = []  # cbc:ID
        self.issue_dates: list[Any] = []  # cbc:IssueDate
        self.type_code: Any | None = None  # the first cbc:NoticeTypeCode
        self.languages: list[Any] = []  # cbc:NoticeLanguageCode
        self.contracting_parties: list[Any] = []  # cac:ContractingParty
        self.processes: list[Any] = []  # cac:TenderingProcess
        self.project: Any | None = None  # the first cac:ProcurementProject
        self.lots: list[Any] = []  # cac:ProcurementProjectLot
        self.extensions: list[Any] = []  # ext:UBLExtensions
        for child in root[:]:
            tag = child.tag  # read once: lxml builds the string on every read
            if tag == _LOT:
                self.lots.append(child)
            elif tag == _ID:
                self.ids.append(child)
            elif tag == _NOTICE_TYPE:
                self.type_code = child if self.type_code is None else self.type_code
            elif tag == _LANGUAGE:
                self.languages.append(child)
            elif tag == _PROJECT:
                self.project = child if self.project is None else self.project
            elif tag == _CONTRACTING_PARTY:
                self.contracting_parties.append(child)
            elif tag == _TENDERING_PROCESS:
                self.processes.append(child)
            elif tag == _EXTENSIONS:
                self.extensions.append(child)
            elif tag == _ISSUE_DATE:
                self.issue_dates.append(child)

    def extension(self) -> Any | None:
        """The first ``ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension``."""
        for extensions in self.extensions:
            for extension in extensions[:]:
                if extension.tag != _EXTENSION:
                    continue
                for content in extension[:]:
                    if content.tag == _CONTENT:
                        found = first_child(content, _EFORMS)
                        if found is not None:
                            return found
        return None

    def buyer_id(self) -> str | None:
        """``cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID/text()``: the first non-blank, stripped."""
        for contracting_party in self.contracting_parties:
            for party in contracting_party[:]:
                if party.tag != _PARTY:
                    continue
                for identification in party[:]:
                    if identification.tag == _PARTY_ID:
                        value = child_text(identification, _ID)
                        if value is not None:
                            return value
        return None

    def procedure_type(self) -> str | None:
        """``cac:TenderingProcess/cbc:ProcedureCode/text()``: the first non-blank, stripped."""
        return _first_child_text(self.processes, _PROCEDURE_CODE)


class ExtensionParts:
    """The ``efext:EformsExtension`` children the parser reads (none for a notice without one)."""

    __slots__ = ("changes", "publications", "result", "subtypes")

    def __init__(self, extension: Any | None) -> None:
        self.publications: list[Any] = []  # efac:Publication
        self.subtypes: list[Any] = []  # efac:NoticeSubType
        self.changes: list[Any] = []  # efac:Changes (a change notice's)
        self.result: Any | None = None  # the first efac:NoticeResult
        if extension is None:
            return
        for child in extension[:]:
            tag = child.tag
            if tag == _NOTICE_RESULT:
                self.result = child if self.result is None else self.result
            elif tag == _PUBLICATION:
                self.publications.append(child)
            elif tag == _SUBTYPE:
                self.subtypes.append(child)
            elif tag == _CHANGES:
                self.changes.append(child)

    def changed_notice(self) -> str | None:
        """``efac:Changes/efbc:ChangedNoticeIdentifier/text()`` (BT-758): the notice a change notice changes, by its
        publication number ("259785-2023", as TED publishes them) or its notice id and version ("<uuid>-01")."""
        return _first_child_text(self.changes, _CHANGED_NOTICE)

    def publication(self) -> tuple[str | None, str | None]:
        """(``efac:Publication/efbc:NoticePublicationID/text()``, ``efac:Publication/efbc:PublicationDate/text()``):
        each the first non-blank, stripped, both read in one walk over each publication's children."""
        publication_id = publication_date = None
        for publication in self.publications:
            for child in publication[:]:
                tag = child.tag
                if tag == _PUBLICATION_ID and publication_id is None:
                    publication_id = node_text(child)
                elif tag == _PUBLICATION_DATE and publication_date is None:
                    publication_date = node_text(child)
        return publication_id, publication_date

    def subtype(self) -> str | None:
        """``efac:NoticeSubType/cbc:SubTypeCode/text()``: the first non-blank, stripped."""
        return _first_child_text(self.subtypes, _SUBTYPE_CODE)


def _first_child_text(elements: list[Any], tag: str) -> str | None:
    """The first non-blank text node of the ``tag`` children of ``elements``, stripped (``text(E/tag/text())``)."""
    for element in elements:
        value = child_text(element, tag)
        if value is not None:
            return value
    return None
