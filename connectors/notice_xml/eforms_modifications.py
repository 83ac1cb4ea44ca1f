"""Contract modification notices in eForms (subtypes 38-40, notice type "can-modif").

``efac:ContractModification`` names the notice that awarded the contract
(``efbc:ChangedNoticeIdentifier``: a publication number, or the notice's UUID with its version),
the contract changed (``efbc:ModifiedContractIdentifier``, its CON-xxxx id there), what changed
(``efac:Change/efbc:ChangeDescription``) and why (``efac:ChangeReason``: a code of the
"modification-justification" list and the buyer's words). The notice result describes the
contract as modified: its tender gives the contractors and the value after the change.

A modification is never an award (see ``records.Modification``); the notice's result section
restates the contract and would otherwise count it a second time.
"""

from __future__ import annotations

from typing import Any, Final

from connectors.notice_xml.builders import new_modification
from connectors.notice_xml.eforms_awards import Results
from connectors.notice_xml.eforms_parties import Organisations
from connectors.notice_xml.namespaces import EFORMS_NS
from connectors.notice_xml.problems import warn
from connectors.notice_xml.values import notice_uuid, publication_number, unique
from connectors.notice_xml.xpath import compiler, in_language, text
from connectors.records import Modification, Party

_x = compiler(EFORMS_NS)

MODIFICATIONS: Final = _x("efac:ContractModification")
CHANGED_NOTICE: Final = _x("efbc:ChangedNoticeIdentifier/text()")
MODIFIED_CONTRACT: Final = _x("efbc:ModifiedContractIdentifier/text()")
CHANGE_DESCRIPTION: Final = _x("efac:Change/efbc:ChangeDescription")
REASON_CODE: Final = _x("efac:ChangeReason/cbc:ReasonCode/text()")
REASON_DESCRIPTION: Final = _x("efac:ChangeReason/efbc:ReasonDescription")


def modifications(
    extension: Any | None, found: Results, organisations: Organisations, language: str | None, where: str, notice_id: str
) -> tuple[Modification, ...]:
    """One ``Modification`` per ``efac:ContractModification`` of the notice."""
    if extension is None:
        return ()
    changes = []
    for element in MODIFICATIONS(extension):
        original_text = text(CHANGED_NOTICE, element)
        original = publication_number(original_text) or notice_uuid(original_text)
        if original is None:
            warn(where, notice_id, "efac:ContractModification/efbc:ChangedNoticeIdentifier",
                 f"original notice {original_text!r} unreadable or absent: modification kept, not linked to its award")
        contract_id = text(MODIFIED_CONTRACT, element)
        tender_ids = found.contracts.get(contract_id or "", [])
        tenders = [found.tenders[tender_id] for tender_id in tender_ids if tender_id in found.tenders]
        stated = {(tender.value, tender.currency) for tender in tenders if tender.value is not None}
        value, money = next(iter(stated)) if len(stated) == 1 else (None, None)
        code, words = text(REASON_CODE, element), in_language(REASON_DESCRIPTION(element), language)
        changes.append(
            new_modification(
                lot=unique([tender.lot for tender in tenders])[0] if tenders and tenders[0].lot else None,
                contractors=_contractors(tenders, found, organisations),
                original_notice=original,
                contract_id=contract_id,
                value_after=value,
                currency=money,
                reason=f"{code}: {words}" if code and words else code or words,
                description=in_language(CHANGE_DESCRIPTION(element), language),
            )
        )
    if not changes:
        warn(where, notice_id, "efac:ContractModification", "modification notice without a contract modification")
    return tuple(changes)


def _contractors(tenders: list[Any], found: Results, organisations: Organisations) -> tuple[Party, ...]:
    org_ids = unique([org_id for tender in tenders for org_id in found.tendering_parties.get(tender.party or "", ())])
    parties = [organisations.party(org_id) for org_id in org_ids]
    return tuple([party for party in parties if party is not None])
