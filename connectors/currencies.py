"""ISO 4217 currency codes an amount may carry (current ones, plus the national currencies the euro replaced).

Used to tell an amount in a real currency from a typo ("EURO", "€", "XXX"): an amount in an unknown
currency is kept out of sums (unknown is not zero), with a warning naming the field. Written out here
(ISO 4217 list one, 2024 edition) so that no import needs a network lookup or an extra dependency.
"""

from __future__ import annotations

CURRENT = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN
NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL
SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES
VND VUV WST XAF XCD XCG XDR XOF XPF YER ZAR ZMW ZWG ZWL
"""
#: Replaced by the euro (or recently withdrawn), still found in older award notices.
FORMER = "ATS BEF CYP DEM EEK ESP FIM FRF GRD HRK IEP ITL LTL LUF LVL MTL NLG PTE SIT SKK"

ISO_4217: frozenset[str] = frozenset(CURRENT.split()) | frozenset(FORMER.split())


def currency_code(value: object) -> str | None:
    """The upper-cased ISO 4217 code, or None when ``value`` is not one."""
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if code in ISO_4217 else None


#: What a ledger export writes for the euro besides its code (compared without case and spaces).
EURO_SPELLINGS = frozenset({"€", "eur", "euro", "euros", "eur €"})
#: ISO 4217's code for "no currency": what a row whose currency cell cannot be read is stored with, so it is never
#: taken for the euro (or any currency) in a sum.
NO_CURRENCY = "XXX"


def ledger_currency(value: object, default: str = "EUR") -> str | None:
    """The ISO 4217 code of a spend or contract file's currency cell: ``default`` for an empty cell (a ledger
    books in its own currency), the euro for its sign and spellings ("€", "Euro"), else the code when it is
    one; ``None`` for anything else ("$" is several currencies), which the caller reports."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if not isinstance(value, str):
        return None
    if " ".join(value.casefold().split()) in EURO_SPELLINGS:
        return "EUR"
    return currency_code(value)
