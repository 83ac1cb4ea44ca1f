"""Renders the demo world's notices as eForms UBL documents, shaped like those TED and TenderNed publish.

The structure follows the published contract award notices (subtype 29, ``can-standard``) and contract
notices (subtype 16, ``cn-standard``): winners are reached through NoticeResult -> LotResult -> LotTender
-> TenderingParty -> Tenderer -> Organization, amounts carry ``currencyID``, countries are ISO alpha-3.
National TenderNed notices are the Dutch below-threshold subtype E4 without ``efac:Publication``, since
they never appear in the OJ S. Joint winners are one tendering party with several tenderers (a
consortium), so a lot's winners and value stay one unambiguous fact in every format.

Documents are written from templates (:mod:`demo.render_xml`: why, and the escaping rule): each function
takes ``nl``, the newline and indentation of the elements it writes, and nests its children one tab deeper.
Names such as "Kwintstra & Zonen" go through ``esc``/``attr``. The small helpers here are shared with
:mod:`demo.render_r209`.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from decimal import Decimal

from demo.render_xml import NL, TAB, document, esc, wrap
from demo.world import (
    ALPHA3,
    CATEGORY_BY_KEY,
    REGION_BY_KEY,
    Buyer,
    Lot,
    Publication,
    Supplier,
    World,
    brussels_offset,
    oj_issue,
    review_body,
    ted_number_parts,
    town_nuts,
)

NS = {
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
ROOTS = {
    "can": ("ContractAwardNotice", "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"),
    "cn": ("ContractNotice", "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"),
}
#: The root's namespace declarations: its own namespace as the default, then every prefix (as lxml wrote them).
_ROOT_NAMESPACES = {kind: f' xmlns="{namespace}"' + "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())
                    for kind, (_, namespace) in ROOTS.items()}
#: eForms buyer-legal-type and authority-activity codes per kind of buyer.
BUYER_CODES = {
    "municipality": ("la", "gen-pub"), "province": ("ra", "gen-pub"), "water-board": ("ra", "env-pro"),
    "agency": ("cga", "gen-pub"), "hospital": ("body-pl", "health"), "university": ("body-pl", "education"),
}


# --- helpers (shared with render_r209) ---------------------------------------------------------------


def amount(value: Decimal) -> str:
    return f"{value:.2f}"


def company_id(notice: Publication, supplier: Supplier) -> str | None:
    """The supplier's id as the notice states it: buyers sometimes write "KvK 12345678" (free text), and name a
    sole trader of a scaled world's long tail without any (``Supplier.identified``)."""
    if not supplier.identified:
        return None
    if supplier.country == "NL" and zlib.crc32(f"{notice.key}:{supplier.id}".encode()) % 7 == 0:
        return f"KvK {supplier.id}"
    return supplier.id


#: How long before a notice is sent its contracts were signed, and how long after it is published tenders close.
_SIGNED_BEFORE, _OPEN_FOR = timedelta(days=14), timedelta(days=36)


def conclusion_date(notice: Publication) -> date:
    """When the contracts were signed: a fixed fortnight before the notice was sent."""
    return notice.dispatched - _SIGNED_BEFORE


def tender_deadline(notice: Publication) -> date:
    """The closing date of a contract notice: the statutory 35 days and one for the weekend."""
    return notice.published + _OPEN_FOR


def total_value(notice: Publication) -> Decimal | None:
    """The sum of the published lot values, or None when no lot states one."""
    values = [lot.value for lot in notice.lots if lot.value is not None]
    return sum(values, Decimal(0)) if values else None


# --- eForms ------------------------------------------------------------------------------------------


def customization(day: date) -> str:
    """The eForms SDK version a notice of that day would carry."""
    if day < date(2024, 3, 1):
        return "eforms-sdk-1.9"
    if day < date(2025, 3, 1):
        return "eforms-sdk-1.10"
    return "eforms-sdk-1.13"


def _when(day: date) -> str:
    return f"{day.isoformat()}{brussels_offset(day)}"


def _id(nl: str, tag: str, scheme: str, value: str) -> str:
    """``<tag><cbc:ID schemeName=...>value</cbc:ID></tag>``: how eForms points at a lot, tender, party or contract."""
    return f'{nl}<{tag}>{nl}\t<cbc:ID schemeName="{scheme}">{value}</cbc:ID>{nl}</{tag}>'


def _party_ref(nl: str, tag: str, org_id: str) -> str:
    return f"{nl}<{tag}>{_id(nl + TAB, 'cac:PartyIdentification', 'organization', org_id)}{nl}</{tag}>"


class _Organizations:
    """Numbers the organisations of one notice: the buyer is ORG-0001, winners follow, the court last."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def id_for(self, key: str) -> str:
        """The organisation's number: the one it was given, else the next (formatted only then: most calls repeat)."""
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = f"ORG-{len(self.ids) + 1:04d}"
        return found


def render_eforms(notice: Publication, world: World) -> bytes:
    """The eForms document of a notice: what TED serves at /xml, or TenderNed at /public-xml."""
    buyer = world.buyer_by_id[notice.buyer_id]
    orgs = _Organizations()
    buyer_org = orgs.id_for(buyer.id)
    # the numbering is the order of first mention: the buyer, the winners (in the result), then the court
    result = _notice_result(NL[5], notice, world, orgs) if notice.kind == "can" else ""
    national = notice.channel == "national"
    subtype = "E4" if national else ("29" if notice.kind == "can" else "16")
    court, court_town = review_body(REGION_BY_KEY[buyer.region])
    court_org = orgs.id_for("court")
    n5 = NL[5]
    extension = (f'{result}{n5}<efac:NoticeSubType>{n5}\t<cbc:SubTypeCode listName="notice-subtype">{subtype}</cbc:SubTypeCode>'
                 f"{n5}</efac:NoticeSubType>{_organizations(n5, notice, world, orgs, court, court_town)}")
    if notice.ted_number:
        serial, year = ted_number_parts(notice.ted_number)
        extension += (f'{n5}<efac:Publication>{n5}\t<efbc:NoticePublicationID schemeName="ojs-notice-id">{serial:08d}-{year}'
                      f'</efbc:NoticePublicationID>{n5}\t<efbc:GazetteID schemeName="ojs-id">{oj_issue(notice.published)}/{year}'
                      f"</efbc:GazetteID>{n5}\t<efbc:PublicationDate>{notice.published.isoformat()}Z</efbc:PublicationDate>"
                      f"{n5}</efac:Publication>")
    n1 = NL[1]
    list_name, type_code = ("result", "can-standard") if notice.kind == "can" else ("competition", "cn-standard")
    body = (f"{n1}<ext:UBLExtensions>{n1}\t<ext:UBLExtension>{n1}\t\t<ext:ExtensionContent>{n1}\t\t\t<efext:EformsExtension>"
            f"{extension}{n1}\t\t\t</efext:EformsExtension>{n1}\t\t</ext:ExtensionContent>{n1}\t</ext:UBLExtension>"
            f"{n1}</ext:UBLExtensions>"
            f"{n1}<cbc:UBLVersionID>2.3</cbc:UBLVersionID>"
            f"{n1}<cbc:CustomizationID>{customization(notice.dispatched)}</cbc:CustomizationID>"
            f'{n1}<cbc:ID schemeName="notice-id">{esc(notice.notice_uuid)}</cbc:ID>'
            f"{n1}<cbc:ContractFolderID>{esc(notice.folder_uuid)}</cbc:ContractFolderID>"
            f"{n1}<cbc:IssueDate>{_when(notice.dispatched)}</cbc:IssueDate>"
            f"{n1}<cbc:IssueTime>09:00:00{brussels_offset(notice.dispatched)}</cbc:IssueTime>"
            f"{n1}<cbc:VersionID>01</cbc:VersionID>"
            f"{n1}<cbc:RegulatoryDomain>{'other' if national else '32014L0024'}</cbc:RegulatoryDomain>"
            f'{n1}<cbc:NoticeTypeCode listName="{list_name}">{type_code}</cbc:NoticeTypeCode>'
            f"{n1}<cbc:NoticeLanguageCode>NLD</cbc:NoticeLanguageCode>"
            f"{_contracting_party(n1, buyer, buyer_org)}"
            f'{n1}<cac:TenderingProcess>{n1}\t<cbc:ProcedureCode listName="procurement-procedure-type">{esc(notice.procedure)}'
            f"</cbc:ProcedureCode>{n1}</cac:TenderingProcess>"
            f"{n1}<cac:ProcurementProject>{_project(NL[2], notice.title, notice.description, notice, notice.cpv, buyer)}"
            f"{n1}</cac:ProcurementProject>")
    body += "".join(_lot(n1, notice, lot, court_org) for lot in notice.lots)
    if notice.kind == "can":
        body += (f"{n1}<cac:TenderResult>{n1}\t<cbc:AwardDate>{_when(conclusion_date(notice) - timedelta(days=20))}"
                 f"</cbc:AwardDate>{n1}</cac:TenderResult>")
    tag, _ = ROOTS[notice.kind]
    return document(tag, _ROOT_NAMESPACES[notice.kind], body, world.seed)


def _contracting_party(nl: str, buyer: Buyer, org_id: str) -> str:
    legal_type, activity = BUYER_CODES[buyer.kind]
    return (f"{nl}<cac:ContractingParty>"
            f'{nl}\t<cac:ContractingPartyType>{nl}\t\t<cbc:PartyTypeCode listName="buyer-legal-type">{legal_type}'
            f"</cbc:PartyTypeCode>{nl}\t</cac:ContractingPartyType>"
            f'{nl}\t<cac:ContractingActivity>{nl}\t\t<cbc:ActivityTypeCode listName="authority-activity">{activity}'
            f"</cbc:ActivityTypeCode>{nl}\t</cac:ContractingActivity>"
            f"{_party_ref(nl + TAB, 'cac:Party', org_id)}{nl}</cac:ContractingParty>")


def _project(nl: str, name: str, description: str | None, notice: Publication, cpv: tuple[str, ...],
             buyer: Buyer | None) -> str:
    """The children of a ProcurementProject: the procedure's (with its place of performance) or a lot's."""
    out = f'{nl}<cbc:Name languageID="NLD">{esc(name)}</cbc:Name>'
    if description:
        out += f'{nl}<cbc:Description languageID="NLD">{esc(description)}</cbc:Description>'
    out += (f'{nl}<cbc:ProcurementTypeCode listName="contract-nature">{esc(CATEGORY_BY_KEY[notice.category].nature)}'
            f"</cbc:ProcurementTypeCode>{nl}<cac:MainCommodityClassification>"
            f'{nl}\t<cbc:ItemClassificationCode listName="cpv">{esc(cpv[0])}</cbc:ItemClassificationCode>'
            f"{nl}</cac:MainCommodityClassification>")
    for code in cpv[1:]:
        out += (f'{nl}<cac:AdditionalCommodityClassification>{nl}\t<cbc:ItemClassificationCode listName="cpv">{esc(code)}'
                f"</cbc:ItemClassificationCode>{nl}</cac:AdditionalCommodityClassification>")
    if buyer is not None:
        out += (f"{nl}<cac:RealizedLocation>{nl}\t<cac:Address>"
                f'{nl}\t\t<cbc:CountrySubentityCode listName="nuts">{esc(buyer.nuts)}</cbc:CountrySubentityCode>'
                f'{nl}\t\t<cac:Country>{nl}\t\t\t<cbc:IdentificationCode listName="country">NLD</cbc:IdentificationCode>'
                f"{nl}\t\t</cac:Country>{nl}\t</cac:Address>{nl}</cac:RealizedLocation>")
    return out


def _lot(nl: str, notice: Publication, lot: Lot, court_org: str) -> str:
    deadline = ""
    if notice.kind == "cn":
        day = tender_deadline(notice)
        deadline = (f"{nl}\t\t<cac:TenderSubmissionDeadlinePeriod>{nl}\t\t\t<cbc:EndDate>{_when(day)}</cbc:EndDate>"
                    f"{nl}\t\t\t<cbc:EndTime>12:00:00{brussels_offset(day)}</cbc:EndTime>{nl}\t\t</cac:TenderSubmissionDeadlinePeriod>")
    period = (f'{nl}\t\t<cac:PlannedPeriod>{nl}\t\t\t<cbc:DurationMeasure unitCode="MONTH">48</cbc:DurationMeasure>'
              f"{nl}\t\t</cac:PlannedPeriod>") if notice.kind == "cn" else ""
    inner = nl + "\t"
    return (f'{nl}<cac:ProcurementProjectLot>{inner}<cbc:ID schemeName="Lot">{lot_id(lot)}</cbc:ID>'
            f"{inner}<cac:TenderingTerms>{inner}\t<cac:AppealTerms>{_party_ref(inner + TAB + TAB, 'cac:AppealReceiverParty', court_org)}"
            f"{inner}\t</cac:AppealTerms>{inner}</cac:TenderingTerms>"
            f"{inner}<cac:TenderingProcess>{deadline}{inner}\t<cac:ContractingSystem>"
            f'{inner}\t\t<cbc:ContractingSystemTypeCode listName="framework-agreement">{"fa-wo-rc" if lot.framework else "none"}'
            f"</cbc:ContractingSystemTypeCode>{inner}\t</cac:ContractingSystem>{inner}</cac:TenderingProcess>"
            f'{inner}<cac:ProcurementProject>{inner}\t<cbc:ID schemeName="InternalID">{lot.number:d}</cbc:ID>'
            f"{_project(inner + TAB, lot.title, None, notice, lot.cpv, None)}{period}{inner}</cac:ProcurementProject>"
            f"{nl}</cac:ProcurementProjectLot>")


def lot_id(lot: Lot) -> str:
    return f"LOT-{lot.number:04d}"


def _notice_result(nl: str, notice: Publication, world: World, orgs: _Organizations) -> str:
    """efac:NoticeResult: the lots' results, the winning tenders (and the losing ones a lot lists: numbered after
    every winning one, ranked after it), the contracts and the tendering parties."""
    c = nl + "\t"  # the result's children
    signed = _when(conclusion_date(notice))  # every contract of the notice
    total = total_value(notice)
    out = f'{c}<cbc:TotalAmount currencyID="EUR">{amount(total)}</cbc:TotalAmount>' if total is not None else ""
    awarded = [lot for lot in notice.lots if lot.winners]
    losing = _losing_tenders(awarded)
    for n, lot in enumerate(awarded, start=1):
        statistics = "" if lot.tenders_received is None else (
            f"{c}\t<efac:ReceivedSubmissionsStatistics>"
            f'{c}\t\t<efbc:StatisticsCode listName="received-submission-type">tenders</efbc:StatisticsCode>'
            f"{c}\t\t<efbc:StatisticsNumeric>{lot.tenders_received:d}</efbc:StatisticsNumeric>{c}\t</efac:ReceivedSubmissionsStatistics>")
        out += (f'{c}<efac:LotResult>{c}\t<cbc:ID schemeName="result">RES-{n:04d}</cbc:ID>'
                f'{c}\t<cbc:TenderResultCode listName="winner-selection-status">selec-w</cbc:TenderResultCode>'
                f"{_id(c + TAB, 'efac:LotTender', 'tender', f'TEN-{n:04d}')}"
                f"{''.join(_id(c + TAB, 'efac:LotTender', 'tender', t) for t, _, _ in losing.get(lot.number, ()))}{statistics}"
                f"{_id(c + TAB, 'efac:SettledContract', 'contract', f'CON-{n:04d}')}"
                f"{_id(c + TAB, 'efac:TenderLot', 'Lot', lot_id(lot))}{c}</efac:LotResult>")
    parties: dict[tuple[str, ...], str] = {}
    for n, lot in enumerate(awarded, start=1):
        party = parties.setdefault(lot.winners, f"TPA-{len(parties) + 1:04d}")
        value = "" if lot.value is None else (
            f'{c}\t<cac:LegalMonetaryTotal>{c}\t\t<cbc:PayableAmount currencyID="EUR">{amount(lot.value)}</cbc:PayableAmount>'
            f"{c}\t</cac:LegalMonetaryTotal>")
        out += (f'{c}<efac:LotTender>{c}\t<cbc:ID schemeName="tender">TEN-{n:04d}</cbc:ID>{c}\t<cbc:RankCode>1</cbc:RankCode>'
                f"{value}{_id(c + TAB, 'efac:TenderingParty', 'tendering-party', party)}"
                f"{_id(c + TAB, 'efac:TenderLot', 'Lot', lot_id(lot))}{c}</efac:LotTender>")
    for lot in awarded:
        for tender, loser, rank in losing.get(lot.number, ()):
            out += _losing_tender(c, tender, rank, lot, parties.setdefault((loser,), f"TPA-{len(parties) + 1:04d}"))
    for n, lot in enumerate(awarded, start=1):
        out += (f'{c}<efac:SettledContract>{c}\t<cbc:ID schemeName="contract">CON-{n:04d}</cbc:ID>'
                f"{c}\t<cbc:IssueDate>{signed}</cbc:IssueDate>"
                f'{c}\t<cbc:Title languageID="NLD">{esc(lot.title)}</cbc:Title>'
                f"{c}\t<efbc:ContractFrameworkIndicator>{'true' if lot.framework else 'false'}</efbc:ContractFrameworkIndicator>"
                f"{_id(c + TAB, 'efac:LotTender', 'tender', f'TEN-{n:04d}')}{c}</efac:SettledContract>")
    for winners, party_id in parties.items():
        out += _tendering_party(c, winners, party_id, world, orgs)
    return wrap(nl, "efac:NoticeResult", out)


def _losing_tenders(awarded: list[Lot]) -> dict[int, list[tuple[str, str, int]]]:
    """Per lot number, its losing tenders as (tender id, supplier id, rank): numbered after the winning ones."""
    losing: dict[int, list[tuple[str, str, int]]] = {}
    number = len(awarded)
    for lot in awarded:
        for rank, loser in enumerate(lot.losers, start=2):
            number += 1
            losing.setdefault(lot.number, []).append((f"TEN-{number:04d}", loser, rank))
    return losing


def _losing_tender(nl: str, tender: str, rank: int, lot: Lot, party: str) -> str:
    """A tender that lost: ranked after the winner, a little dearer (4% a rank) when the lot states a value."""
    value = "" if lot.value is None else (
        f'{nl}\t<cac:LegalMonetaryTotal>{nl}\t\t<cbc:PayableAmount currencyID="EUR">'
        f'{amount((lot.value * (1 + Decimal("0.04") * (rank - 1))).quantize(Decimal("0.01")))}</cbc:PayableAmount>'
        f"{nl}\t</cac:LegalMonetaryTotal>")
    return (f'{nl}<efac:LotTender>{nl}\t<cbc:ID schemeName="tender">{tender}</cbc:ID>{nl}\t<cbc:RankCode>{rank:d}</cbc:RankCode>'
            f"{value}{_id(nl + TAB, 'efac:TenderingParty', 'tendering-party', party)}"
            f"{_id(nl + TAB, 'efac:TenderLot', 'Lot', lot_id(lot))}{nl}</efac:LotTender>")


def _tendering_party(nl: str, winners: tuple[str, ...], party_id: str, world: World, orgs: _Organizations) -> str:
    """One tendering party: a single winner, or a consortium (named, its first member the group lead)."""
    joint = len(winners) > 1
    out = f'{nl}<efac:TenderingParty>{nl}\t<cbc:ID schemeName="tendering-party">{party_id}</cbc:ID>'
    if joint:
        members = (world.supplier_by_id[w] for w in winners)
        names = " / ".join(m.name.removesuffix(f" {m.legal_form}") for m in members)
        out += f'{nl}\t<cbc:Name languageID="NLD">{esc(f"Combinatie {names}")}</cbc:Name>'
    for i, winner in enumerate(winners):
        lead = f"{nl}\t\t<efbc:GroupLeadIndicator>{'true' if i == 0 else 'false'}</efbc:GroupLeadIndicator>" if joint else ""
        out += (f'{nl}\t<efac:Tenderer>{nl}\t\t<cbc:ID schemeName="organization">{orgs.id_for(winner)}</cbc:ID>{lead}'
                f"{nl}\t</efac:Tenderer>")
    return out + f"{nl}</efac:TenderingParty>"


def _organizations(nl: str, notice: Publication, world: World, orgs: _Organizations, court: str, court_town: str) -> str:
    out = ""
    company = nl + "\t\t"  # efac:Organizations / efac:Organization / efac:Company
    for key, org_id in orgs.ids.items():
        if key == "court":
            region = REGION_BY_KEY[world.buyer_by_id[notice.buyer_id].region]
            inner = _company(company + TAB, org_id, court, court_town, None, town_nuts(region, court_town), "NL", None)
        elif key in world.buyer_by_id:
            b = world.buyer_by_id[key]
            inner = _company(company + TAB, org_id, b.name, b.town, b.postcode, b.nuts, b.country, b.id)
        else:
            s = world.supplier_by_id[key]
            inner = (f'{company}\t<efbc:CompanySizeCode listName="economic-operator-size">{esc(s.size)}</efbc:CompanySizeCode>'
                     + _company(company + TAB, org_id, s.name, s.town, s.postcode, s.nuts, s.country, company_id(notice, s)))
        out += f"{nl}\t<efac:Organization>{company}<efac:Company>{inner}{company}</efac:Company>{nl}\t</efac:Organization>"
    return f"{nl}<efac:Organizations>{out}{nl}</efac:Organizations>"


def _company(nl: str, org_id: str, name: str, town: str, postcode: str | None, nuts: str | None, country: str,
             legal_id: str | None) -> str:
    """The children of an efac:Company: its number in this notice, name, address and (for a company) its id."""
    address = f"{nl}\t<cbc:CityName>{esc(town)}</cbc:CityName>"
    if postcode:
        address += f"{nl}\t<cbc:PostalZone>{esc(postcode)}</cbc:PostalZone>"
    if nuts:
        address += f'{nl}\t<cbc:CountrySubentityCode listName="nuts">{esc(nuts)}</cbc:CountrySubentityCode>'
    out = (f"{_id(nl, 'cac:PartyIdentification', 'organization', org_id)}"
           f'{nl}<cac:PartyName>{nl}\t<cbc:Name languageID="NLD">{esc(name)}</cbc:Name>{nl}</cac:PartyName>'
           f'{nl}<cac:PostalAddress>{address}{nl}\t<cac:Country>{nl}\t\t<cbc:IdentificationCode listName="country">'
           f"{esc(ALPHA3[country])}</cbc:IdentificationCode>{nl}\t</cac:Country>{nl}</cac:PostalAddress>")
    if legal_id:
        out += f"{nl}<cac:PartyLegalEntity>{nl}\t<cbc:CompanyID>{esc(legal_id)}</cbc:CompanyID>{nl}</cac:PartyLegalEntity>"
    return out
