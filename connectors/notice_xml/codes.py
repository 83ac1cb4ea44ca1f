"""Code lists the notice parsers need to make TED values comparable across formats.

Countries: eForms states ISO 3166-1 alpha-3 ("NLD"), the legacy format alpha-2 with the EU's
own exceptions ("UK", "EL"); the records want alpha-2 everywhere. The alpha-3 table is written
out here (from the Debian iso-codes 4.15 ``iso_3166-1.json``, 249 entries) rather than taken
from pycountry, so that parsing a notice needs no extra dependency.

Kinds: ``Notice.kind`` puts a notice in the procurement cycle whatever its format, so that
"all awards" means the same for eForms and legacy notices. The mapping is documented in the
tables below; anything not listed is "other", never an error.
"""

from __future__ import annotations

import logging
from typing import Final

from connectors.records import NoticeKind

logger: Final = logging.getLogger(__name__)

ALPHA3_TO_ALPHA2: dict[str, str] = {
    "ABW": "AW", "AFG": "AF", "AGO": "AO", "AIA": "AI", "ALA": "AX", "ALB": "AL", "AND": "AD", "ARE": "AE",
    "ARG": "AR", "ARM": "AM", "ASM": "AS", "ATA": "AQ", "ATF": "TF", "ATG": "AG", "AUS": "AU", "AUT": "AT",
    "AZE": "AZ", "BDI": "BI", "BEL": "BE", "BEN": "BJ", "BES": "BQ", "BFA": "BF", "BGD": "BD", "BGR": "BG",
    "BHR": "BH", "BHS": "BS", "BIH": "BA", "BLM": "BL", "BLR": "BY", "BLZ": "BZ", "BMU": "BM", "BOL": "BO",
    "BRA": "BR", "BRB": "BB", "BRN": "BN", "BTN": "BT", "BVT": "BV", "BWA": "BW", "CAF": "CF", "CAN": "CA",
    "CCK": "CC", "CHE": "CH", "CHL": "CL", "CHN": "CN", "CIV": "CI", "CMR": "CM", "COD": "CD", "COG": "CG",
    "COK": "CK", "COL": "CO", "COM": "KM", "CPV": "CV", "CRI": "CR", "CUB": "CU", "CUW": "CW", "CXR": "CX",
    "CYM": "KY", "CYP": "CY", "CZE": "CZ", "DEU": "DE", "DJI": "DJ", "DMA": "DM", "DNK": "DK", "DOM": "DO",
    "DZA": "DZ", "ECU": "EC", "EGY": "EG", "ERI": "ER", "ESH": "EH", "ESP": "ES", "EST": "EE", "ETH": "ET",
    "FIN": "FI", "FJI": "FJ", "FLK": "FK", "FRA": "FR", "FRO": "FO", "FSM": "FM", "GAB": "GA", "GBR": "GB",
    "GEO": "GE", "GGY": "GG", "GHA": "GH", "GIB": "GI", "GIN": "GN", "GLP": "GP", "GMB": "GM", "GNB": "GW",
    "GNQ": "GQ", "GRC": "GR", "GRD": "GD", "GRL": "GL", "GTM": "GT", "GUF": "GF", "GUM": "GU", "GUY": "GY",
    "HKG": "HK", "HMD": "HM", "HND": "HN", "HRV": "HR", "HTI": "HT", "HUN": "HU", "IDN": "ID", "IMN": "IM",
    "IND": "IN", "IOT": "IO", "IRL": "IE", "IRN": "IR", "IRQ": "IQ", "ISL": "IS", "ISR": "IL", "ITA": "IT",
    "JAM": "JM", "JEY": "JE", "JOR": "JO", "JPN": "JP", "KAZ": "KZ", "KEN": "KE", "KGZ": "KG", "KHM": "KH",
    "KIR": "KI", "KNA": "KN", "KOR": "KR", "KWT": "KW", "LAO": "LA", "LBN": "LB", "LBR": "LR", "LBY": "LY",
    "LCA": "LC", "LIE": "LI", "LKA": "LK", "LSO": "LS", "LTU": "LT", "LUX": "LU", "LVA": "LV", "MAC": "MO",
    "MAF": "MF", "MAR": "MA", "MCO": "MC", "MDA": "MD", "MDG": "MG", "MDV": "MV", "MEX": "MX", "MHL": "MH",
    "MKD": "MK", "MLI": "ML", "MLT": "MT", "MMR": "MM", "MNE": "ME", "MNG": "MN", "MNP": "MP", "MOZ": "MZ",
    "MRT": "MR", "MSR": "MS", "MTQ": "MQ", "MUS": "MU", "MWI": "MW", "MYS": "MY", "MYT": "YT", "NAM": "NA",
    "NCL": "NC", "NER": "NE", "NFK": "NF", "NGA": "NG", "NIC": "NI", "NIU": "NU", "NLD": "NL", "NOR": "NO",
    "NPL": "NP", "NRU": "NR", "NZL": "NZ", "OMN": "OM", "PAK": "PK", "PAN": "PA", "PCN": "PN", "PER": "PE",
    "PHL": "PH", "PLW": "PW", "PNG": "PG", "POL": "PL", "PRI": "PR", "PRK": "KP", "PRT": "PT", "PRY": "PY",
    "PSE": "PS", "PYF": "PF", "QAT": "QA", "REU": "RE", "ROU": "RO", "RUS": "RU", "RWA": "RW", "SAU": "SA",
    "SDN": "SD", "SEN": "SN", "SGP": "SG", "SGS": "GS", "SHN": "SH", "SJM": "SJ", "SLB": "SB", "SLE": "SL",
    "SLV": "SV", "SMR": "SM", "SOM": "SO", "SPM": "PM", "SRB": "RS", "SSD": "SS", "STP": "ST", "SUR": "SR",
    "SVK": "SK", "SVN": "SI", "SWE": "SE", "SWZ": "SZ", "SXM": "SX", "SYC": "SC", "SYR": "SY", "TCA": "TC",
    "TCD": "TD", "TGO": "TG", "THA": "TH", "TJK": "TJ", "TKL": "TK", "TKM": "TM", "TLS": "TL", "TON": "TO",
    "TTO": "TT", "TUN": "TN", "TUR": "TR", "TUV": "TV", "TWN": "TW", "TZA": "TZ", "UGA": "UG", "UKR": "UA",
    "UMI": "UM", "URY": "UY", "USA": "US", "UZB": "UZ", "VAT": "VA", "VCT": "VC", "VEN": "VE", "VGB": "VG",
    "VIR": "VI", "VNM": "VN", "VUT": "VU", "WLF": "WF", "WSM": "WS", "YEM": "YE", "ZAF": "ZA", "ZMB": "ZM",
    "ZWE": "ZW",
}

#: Codes TED uses that are not ISO 3166-1 alpha-2, or not ISO at all.
#: "UK"/"EL": the EU's interinstitutional codes for the United Kingdom and Greece;
#: "1A0": eForms' code for Kosovo (no ISO code; "XK" is the user-assigned code everyone uses).
TED_COUNTRY_ALIASES: dict[str, str] = {"UK": "GB", "EL": "GR", "1A0": "XK", "XKX": "XK"}

#: Every ISO 3166-1 alpha-2 code (plus XK): what a country code must become to count as known.
ISO_ALPHA2: frozenset[str] = frozenset(ALPHA3_TO_ALPHA2.values()) | {"XK"}


def country_alpha2(code: str | None) -> str | None:
    """ISO alpha-2 for an alpha-2, alpha-3 or TED-specific country code.

    An unknown code is kept as published (upper-cased) rather than dropped: a wrong-looking
    country is still evidence, and the store can flag it later.
    """
    if not code:
        return None
    code = code.strip().upper()
    if not code:
        return None
    if code in TED_COUNTRY_ALIASES:
        return TED_COUNTRY_ALIASES[code]
    if len(code) == 3:
        alpha2 = ALPHA3_TO_ALPHA2.get(code)
        if alpha2 is None:
            logger.debug("unknown alpha-3 country code %r kept as is", code)
        return alpha2 or code
    return code


#: eForms notice type (BT-02, ``cbc:NoticeTypeCode``) -> kind. VEAT ("dir-awa-pre") announces
#: a contract already awarded, so it is an award; a completion notice ("compl") and a
#: corrigendum ("corr") report on other notices, and business registration notices
#: ("brin-*") are not procurement at all: "other".
EFORMS_NOTICE_TYPE_KIND: dict[str, NoticeKind] = {
    "pin-only": "planning",
    "pin-buyer": "planning",
    "pin-rtl": "planning",
    "pin-tran": "planning",
    "pmc": "planning",
    "pin-cfc-standard": "competition",
    "pin-cfc-social": "competition",
    "qu-sy": "competition",
    "cn-standard": "competition",
    "cn-social": "competition",
    "cn-desg": "competition",
    "subco": "competition",
    "can-standard": "award",
    "can-social": "award",
    "can-desg": "award",
    "can-tran": "award",
    "veat": "award",
    "can-modif": "modification",
    "compl": "other",
    "corr": "other",
    "brin-ecs": "other",
    "brin-eeig": "other",
}

#: eForms form type (the ``listName`` of ``cbc:NoticeTypeCode``), for notice types newer than
#: the table above.
EFORMS_FORM_TYPE_KIND: dict[str, NoticeKind] = {
    "planning": "planning",
    "consultation": "planning",
    "competition": "competition",
    "result": "award",
    "dir-awa-pre": "award",
    "cont-modif": "modification",
}


def eforms_kind(notice_type: str, form_type: str | None) -> NoticeKind:
    """Kind of an eForms notice from its notice type, else its form type, else "other"."""
    kind = EFORMS_NOTICE_TYPE_KIND.get(notice_type)
    if kind is None:
        kind = EFORMS_FORM_TYPE_KIND.get(form_type or "", "other")
        logger.debug("eForms notice type %r not in the table; form type %r -> %s", notice_type, form_type, kind)
    return kind


#: Legacy R2.0.9 standard form -> kind. F01/F04 (prior and periodic indicative notices) and
#: F21-F23 (social and other specific services) serve several purposes: for them the form's
#: ``NOTICE/@TYPE`` decides (see ``R209_NOTICE_TYPE_KIND``). F07 and F22 qualification systems
#: count as competition, as eForms' "qu-sy" does; F08 (buyer profile) announces a PIN.
R209_FORM_KIND: dict[str, NoticeKind] = {
    "F01": "planning",
    "F02": "competition",
    "F03": "award",
    "F04": "planning",
    "F05": "competition",
    "F06": "award",
    "F07": "competition",
    "F08": "planning",
    "F12": "competition",
    "F13": "award",
    "F14": "other",
    "F15": "award",
    "F16": "planning",
    "F17": "competition",
    "F18": "award",
    "F19": "competition",
    "F20": "modification",
    "F21": "competition",
    "F22": "competition",
    "F23": "competition",
    "F24": "competition",
    "F25": "award",
    "T01": "planning",
    "T02": "award",
}

#: ``NOTICE/@TYPE`` of the multi-purpose legacy forms (F01, F04, F21, F22, F23).
#: A PIN that only shortens time limits is still planning; one that is the call is competition.
R209_NOTICE_TYPE_KIND: dict[str, NoticeKind] = {
    "PRI_ONLY": "planning",
    "PRI_REDUCING_TIME_LIMITS": "planning",
    "PRI": "planning",
    "PER_ONLY": "planning",
    "PER_REDUCING_TIME_LIMITS": "planning",
    "PER": "planning",
    "PRI_CALL_COMPETITION": "competition",
    "PER_CALL_COMPETITION": "competition",
    "QSU_ONLY": "competition",
    "QSU_CALL_COMPETITION": "competition",
    "QSU": "competition",
    "CONTRACT": "competition",
    "CONCESSION": "competition",
    "AWARD_CONTRACT": "award",
    "AWARD_CONCESSION": "award",
    # F23 announcing the award of a concession (TD_DOCUMENT_TYPE "J", as F25): an award, not a competition.
    "CONCESSION_AWARD_CONTRACT": "award",
}


def r209_kind(form: str, notice_type_attr: str | None) -> NoticeKind:
    """Kind of a legacy notice from its form, refined by ``NOTICE/@TYPE`` where the form has one."""
    if notice_type_attr and notice_type_attr in R209_NOTICE_TYPE_KIND:
        return R209_NOTICE_TYPE_KIND[notice_type_attr]
    kind = R209_FORM_KIND.get(form)
    if kind is None:
        logger.debug("legacy form %r (NOTICE/@TYPE %r) not in the table: kind other", form, notice_type_attr)
        return "other"
    return kind
