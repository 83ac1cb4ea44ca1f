"""Every TED notice in ``../shared/data/ted`` through ``parse_notice``: nothing may crash.

A file either parses or raises ``NotANoticeError`` / ``MalformedNoticeError`` with a one-line
message naming it; any other exception is a parser bug. The SDK's ``INVALID_*`` examples may
go either way; of the rest at least 95% must parse. Skipped where the shared data is absent
(it sits beside the repository, not in it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.errors import MalformedNoticeError, NotANoticeError
from connectors.notice_xml import parse_notice
from connectors.records import Notice

SHARED_TED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ted"
FILES = sorted(SHARED_TED.rglob("*.xml")) if SHARED_TED.is_dir() else []
MIN_PARSED_SHARE = 0.95

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not FILES, reason=f"no TED notices at {SHARED_TED} (shared data not checked out beside the repo)"),
]


@dataclass(frozen=True)
class Outcome:
    path: Path
    data: bytes
    notice: Notice | None = None
    error: NotANoticeError | MalformedNoticeError | None = None


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    results = []
    for path in FILES:
        data = path.read_bytes()
        try:
            results.append(Outcome(path, data, notice=parse_notice(data, where=str(path))))
        except (NotANoticeError, MalformedNoticeError) as error:
            results.append(Outcome(path, data, error=error))
    return results


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(SHARED_TED)))
def test_file_parses_or_says_clearly_why_not(path: Path) -> None:
    try:
        parsed = parse_notice(path.read_bytes(), where=str(path))
    except (NotANoticeError, MalformedNoticeError) as error:
        message = str(error)
        assert "\n" not in message and message.startswith(str(path))
        assert error.reason and (error.field or "not well-formed" in error.reason)
        return
    assert parsed.notice_id and parsed.buyer.name and parsed.published


def test_nearly_all_valid_files_parse(outcomes: list[Outcome]) -> None:
    valid = [o for o in outcomes if not o.path.name.startswith("INVALID_")]
    failed = [f"{o.path.name}: {o.error}" for o in valid if o.notice is None]
    assert len(valid) - len(failed) >= MIN_PARSED_SHARE * len(valid), "\n".join(failed)


def test_award_notices_yield_awards_with_winners(outcomes: list[Outcome]) -> None:
    parsed = [o for o in outcomes if o.notice is not None]
    missing = [o.path.name for o in parsed if o.notice.kind == "award" and _states_a_winner(o.data) and not o.notice.awards]
    assert not missing, f"award notices that name a winner but gave no award: {missing}"
    awards = [award for o in parsed for award in o.notice.awards]
    assert len(awards) > 100
    # A concluded contract whose contractor is not published (utilities may withhold it) is still an
    # award, with its winners unknown (empty); real notices do this for a small share of contracts.
    unnamed = [award for award in awards if not award.winners]
    assert len(unnamed) < 0.1 * len(awards)
    for award in awards:
        assert award.lot and all(w.name for w in award.winners)
        assert award.value is None or (isinstance(award.value, Decimal) and award.value >= 0)
        assert award.currency is None or len(award.currency) == 3


def test_countries_and_cpv_codes_are_normalised(outcomes: list[Outcome]) -> None:
    for o in outcomes:
        if o.notice is None:
            continue
        parties = [o.notice.buyer, *(w for award in o.notice.awards for w in award.winners)]
        assert all(p.country is None or len(p.country) == 2 for p in parties), o.path.name
        assert all(len(code) == 8 and code.isdigit() for code in o.notice.cpv), o.path.name
        assert o.notice.cpv_main is None or o.notice.cpv[0] == o.notice.cpv_main


def _states_a_winner(data: bytes) -> bool:
    """Whether the file itself names a winner: a "selec-w" lot result, or (VEAT and
    modifications, which have no result code) a tenderer, or a legacy awarded contract or prize."""
    if b">selec-w<" in data or b"<AWARDED_CONTRACT>" in data or b"<ADDRESS_WINNER>" in data:
        return True
    return b"TenderResultCode" not in data and b"<efac:Tenderer>" in data
