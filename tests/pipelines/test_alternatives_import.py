"""Alternatives on a history a user imports (issue 17, item 3): an OCDS file whose items use a made-up
hierarchical scheme, through ``supplyradar import ocds``, backtested with ``supplyradar evaluate alternatives``
and suggested with ``supplyradar alerts alternatives --scheme``, with only the fields OCDS commonly carries
(buyer name and address, date, category code, supplier names, value)."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from config.settings import Settings
from pipelines.alternatives import load_history
from store.db import Store

SCHEME = "X-GOODS"
#: Branch 7.1 (two codes, and the level itself) and its sibling 7.10, whose levels are not of fixed width.
CODES = ("7.1.1", "7.1.2", "7.1")
SIBLING = "7.10.1"


def _release(n: int, day: date, code: str, region: int, buyer: int, winner: str, value: float) -> dict:
    buyer_id = f"GB-B{region}-{buyer}"
    return {
        "ocid": f"ocds-xg-{n}", "id": f"ocds-xg-{n}-1", "date": f"{day.isoformat()}T00:00:00Z", "tag": ["award"],
        "parties": [
            {"id": buyer_id, "name": f"Municipality of Town {region}-{buyer}", "roles": ["buyer"],
             "address": {"country": "GB", "postalCode": f"R{region} {buyer}AA"}},
            {"id": winner, "name": f"{winner} Ltd", "roles": ["supplier"],
             "identifier": {"scheme": "GB-COH", "id": winner}, "address": {"country": "GB"}},
        ],
        "buyer": {"id": buyer_id, "name": f"Municipality of Town {region}-{buyer}"},
        "tender": {"id": str(n), "items": [{"id": "1", "classification": {"scheme": SCHEME, "id": code}}]},
        "awards": [{"id": "1", "status": "active", "date": f"{day.isoformat()}T00:00:00Z",
                    "value": {"amount": round(value), "currency": "GBP"}, "suppliers": [{"id": winner, "name": f"{winner} Ltd"}]}],
    }


def regional_history(path: Path, seed: int = 3) -> Path:
    """Four regions with five suppliers each; two national firms win a quarter of every region's awards (so
    they have the most wins); a firm of the sibling code 7.10 wins more than anyone there and never in 7.1."""
    rng = random.Random(seed)
    lines = []
    start = date(2021, 1, 1)
    for n in range(4 * 240):
        day = start + timedelta(days=n * 365 // 240)
        region = rng.randrange(4)
        winner = f"R{region}S{rng.randrange(5)}" if rng.random() < 0.75 else rng.choice(("NAT1", "NAT2"))
        lines.append(_release(n, day, rng.choice(CODES), region, rng.randrange(6), winner, rng.lognormvariate(12, 1)))
        if n % 2 == 0:
            lines.append(_release(10_000 + n, day, SIBLING, region, rng.randrange(6), "BIG10", 50_000.0))
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from supplyradar.cli import app
    from supplyradar.commands import ocds as command

    monkeypatch.setattr(command, "console", Console(width=250))
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUPPLYRADAR_CONFIG", str(tmp_path / "none.toml"))
    result = CliRunner().invoke(app, ["import", "ocds", str(regional_history(tmp_path / "history.jsonl"))])
    assert result.exit_code == 0, result.output
    return tmp_path


def test_an_imported_history_in_a_made_up_scheme_is_backtested_and_suggested(imported: Path) -> None:
    from supplyradar.cli import app
    from supplyradar.commands import alerts as command

    with Store(Settings(_env_file=None).resolved_database_url) as store, store.session() as session:
        history = load_history(session)
    assert {(a.scheme, a.cpv) for a in history} == {(SCHEME, code) for code in (*CODES, SIBLING)}
    assert {a.buyer_region for a in history} == {f"GB-R{r}" for r in range(4)}
    printed = CliRunner().invoke(app, ["evaluate", "alternatives", "--cutoff", "2024-01-01", "--horizon-days", "365",
                                       "--json"])
    assert printed.exit_code == 0, printed.output
    figures = json.loads(printed.stdout)
    # The branch is the code's level that suits the scheme: the sibling's awards are cases of their own division.
    assert set(figures["divisions"]) == {"7"} and figures["cases"] > 100
    assert figures["rankers"][0].startswith("ranked by a model learned from")
    alt, base = figures["rankings"]["alternatives"]["recall@5"], figures["rankings"]["baseline"]["recall@5"]
    assert alt > 1.15 * base and figures["difference"]["recall@5"]["ci95"][0] > 0
    # One suggestion for a regional supplier's code: BIG10 won only in 7.10, a neighbouring code of branch 7.1,
    # and never in the branch, whatever the prefix "7.1" looks like.
    command.out = Console(width=400)
    shown = CliRunner().invoke(app, ["alerts", "alternatives", "--supplier", "GB:id:R2S0", "--cpv", "7.1.5",
                                     "--scheme", SCHEME, "--as-of", "2024-01-01"])
    assert shown.exit_code == 0, shown.output
    assert f"Alternatives for {SCHEME} 7.1*" in shown.output
    big10 = [line for line in shown.output.splitlines() if "BIG10" in line]
    assert not big10 or ("won" in big10[0] and f"in {SCHEME} 7.1* since" not in big10[0])
    # Each count is the wins in 7.1, 7.1.1 and 7.1.2 in the window, nothing of 7.10.
    for firm in ("NAT1", "NAT2"):
        line = next(line for line in shown.output.splitlines() if f"{firm} Ltd" in line)
        won = sum(1 for a in history if a.cpv in CODES and f"GB:id:{firm}" in a.winners
                  and date(2019, 1, 1) <= a.published < date(2024, 1, 1))
        assert f"won {won} contracts in {SCHEME} 7.1* since 2019-01-01" in line, line
