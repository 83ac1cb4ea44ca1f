"""Both notice parsers on the same real notices: each of the 54 legacy TED R2.0.9 notices of
``../shared/data/ted/real-notices/ted-r209`` and its eForms conversion (``.../eforms``, made by the
Publications Office's own ted-xml-data-converter) must give the same notice: number and date,
buyer, main CPV, kind, and the same awards (winners, value, currency, tenders received).

The two parsers share no extraction code, so agreeing on a real notice is evidence that each reads
its format right. ``KNOWN_DIFFERENCES`` lists where the two documents themselves differ, with the
reason read from the XML; a new difference, or a listed one that went away, fails the test.
Skipped where ``../shared`` is absent (it sits beside the repository).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.notice_xml import parse_file
from connectors.records import Notice

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ted" / "real-notices"
LEGACY, CONVERTED = REAL / "ted-r209", REAL / "eforms"

#: file -> (what differs, why, read from the two documents)
KNOWN_DIFFERENCES: dict[str, tuple[str, str]] = {
    "18-156915-001-EXP.xml": (
        "awards",
        "a design contest's result (F13): the legacy notice gives one prize of EUR 31,932.77 to two winners "
        "(AWARDED_PRIZE/VAL_PRIZE); the conversion makes two settled contracts, one per winner, and drops the prize "
        "value (BT-644 left empty), so it states no value at all",
    ),
}

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not CONVERTED.is_dir(), reason=f"no converted notices at {CONVERTED} (shared data not beside the repo)"),
]


def _pairs() -> list[str]:
    if not CONVERTED.is_dir():
        return []
    return sorted(path.name for path in CONVERTED.glob("*.xml") if (LEGACY / path.name).is_file())


def _awards(n: Notice) -> list[tuple]:
    return sorted((tuple(sorted(w.name for w in a.winners)), a.value, a.currency, a.tenders_received) for a in n.awards)


def _differences(legacy: Notice, converted: Notice) -> list[str]:
    measures = {
        "number and date": lambda n: (n.notice_id, n.published),
        "buyer": lambda n: n.buyer,
        "main CPV": lambda n: n.cpv_main,
        "kind": lambda n: n.kind,
        "awards": _awards,
    }
    return [name for name, measure in measures.items() if measure(legacy) != measure(converted)]


def test_the_pairs_are_there() -> None:
    assert len(_pairs()) >= 50, "the converter's notices in both formats"


@pytest.mark.parametrize("name", _pairs())
def test_both_parsers_read_the_same_notice_alike(name: str) -> None:
    legacy, converted = parse_file(LEGACY / name), parse_file(CONVERTED / name)
    found = _differences(legacy, converted)
    listed = [KNOWN_DIFFERENCES[name][0]] if name in KNOWN_DIFFERENCES else []
    assert found == listed, (
        f"{name}: {found or 'no difference'} (listed: {listed or 'none'}); legacy awards {_awards(legacy)}, "
        f"converted awards {_awards(converted)}"
    )
