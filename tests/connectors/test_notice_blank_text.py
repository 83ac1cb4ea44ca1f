"""``parse_notice`` parses without the whitespace-only text between elements (``parse_xml(keep_blank_text=False)``):
the notices must be the ones a tree with every blank text gives, on every notice we have (the committed fixtures,
a demo world's notices, and, where ``../shared`` sits beside the repository, the real corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

import connectors.notice_xml as notice_xml
from connectors.errors import RecordError
from connectors.notice_xml.safe_xml import parse_xml
from demo.build import notice_xml as demo_notice_xml
from demo.world import build_world

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ted"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ted"

#: Mixed content where libxml2 drops some blanks and keeps others: titles split over elements, blanks before,
#: between and after children, a blank-only element, a blank after text, comments between the parts.
MIXED = b"""<?xml version="1.0" encoding="UTF-8"?>
<TED_EXPORT xmlns="http://publications.europa.eu/resource/schema/ted/R2.0.9/publication" VERSION="R2.0.9.S05.E01"
 DOC_ID="123456-2024">
  <CODED_DATA_SECTION>
    <REF_OJS> <DATE_PUB>20240105</DATE_PUB> </REF_OJS>
    <NOTICE_DATA><LG_ORIG>
      NL </LG_ORIG></NOTICE_DATA>
    <CODIF_DATA><TD_DOCUMENT_TYPE>Contract award notice</TD_DOCUMENT_TYPE>
      <PR_PROC> <!-- x --> Open procedure</PR_PROC></CODIF_DATA>
  </CODED_DATA_SECTION>
  <FORM_SECTION>
    <F03_2014 LG="NL" CATEGORY="ORIGINAL" FORM="F03">
      <CONTRACTING_BODY><ADDRESS_CONTRACTING_BODY>
        <OFFICIALNAME>
          Gemeente Utrecht </OFFICIALNAME><TOWN>   </TOWN>
        <COUNTRY VALUE="NL"/></ADDRESS_CONTRACTING_BODY></CONTRACTING_BODY>
      <OBJECT_CONTRACT>
        <TITLE><P><B>Schoonmaak</B> <I>kantoren</I></P> <P>2024</P></TITLE>
        <CPV_MAIN> <CPV_CODE CODE="90910000"/> </CPV_CODE></CPV_MAIN>
        <OBJECT_DESCR ITEM="1"><LOT_NO> 1 </LOT_NO> <TITLE> <P>Perceel</P><P>een</P> </TITLE></OBJECT_DESCR>
      </OBJECT_CONTRACT>
      <AWARD_CONTRACT ITEM="1"><LOT_NO>1</LOT_NO>
        <AWARDED_CONTRACT><CONTRACTORS><CONTRACTOR><ADDRESS_CONTRACTOR>
          <OFFICIALNAME>Schoon <B>B.V.</B> <!-- c --> </OFFICIALNAME><COUNTRY VALUE="NL"/>
        </ADDRESS_CONTRACTOR></CONTRACTOR></CONTRACTORS>
        <VALUES> <VAL_TOTAL CURRENCY="EUR"> 1000 </VAL_TOTAL> </VALUES></AWARDED_CONTRACT>
      </AWARD_CONTRACT>
    </F03_2014>
  </FORM_SECTION>
</TED_EXPORT>
""".replace(b"</CPV_CODE>", b"")


def _with_blank_text(monkeypatch: pytest.MonkeyPatch, data: bytes, where: str) -> object:
    """What ``parse_notice`` gives from a tree with every blank text node (as it parsed before)."""
    with monkeypatch.context() as patched:
        patched.setattr(notice_xml, "parse_xml", lambda data, where, **_: parse_xml(data, where))
        return _outcome(data, where)


def _outcome(data: bytes, where: str) -> object:
    try:
        return notice_xml.parse_notice(data, where=where)
    except RecordError as error:
        return type(error), str(error), error.record, error.field


def _check(monkeypatch: pytest.MonkeyPatch, documents: list[tuple[str, bytes]]) -> None:
    assert documents
    different = [where for where, data in documents if _outcome(data, where) != _with_blank_text(monkeypatch, data, where)]
    assert not different


def test_blank_text_left_out_where_it_stood_between_elements() -> None:
    lean, full = parse_xml(MIXED, "mixed", keep_blank_text=False), parse_xml(MIXED, "mixed")
    assert sum(1 for _ in lean.iter()) == sum(1 for _ in full.iter())
    assert len("".join(full.itertext())) > len("".join(lean.itertext()))
    assert notice_xml.parse_notice(MIXED, where="mixed").title == "Schoonmaak kantoren 2024"


def test_mixed_content_parses_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    _check(monkeypatch, [("mixed", MIXED)])


def test_fixtures_parse_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    _check(monkeypatch, [(str(path), path.read_bytes()) for path in sorted(FIXTURES.rglob("*.xml"))])


def test_demo_notices_parse_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    world = build_world()  # every 10th notice: both formats (R2.0.9 before eForms), every kind of award
    _check(monkeypatch, [(notice.key, demo_notice_xml(notice, world)) for notice in world.notices[::10]])


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"no shared notices at {SHARED}")
def test_real_notices_parse_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    _check(monkeypatch, [(str(path), path.read_bytes()) for path in sorted(SHARED.rglob("*.xml"))])
