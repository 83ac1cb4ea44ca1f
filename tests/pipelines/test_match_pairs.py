"""``pipelines.match_pairs``: a pairs file read row by row, each row decided or named with its error."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.matching import Thresholds
from pipelines.match_pairs import PairsFileError, decide_pairs


def test_rows_are_decided_in_file_order_with_labels_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("naam_a;naam_b;label\nAsito B.V.;Asito;1\n;Asito;0\nTonkeling Bouw;Velmara Software;nee\n"
                    "Asito;Asito;perhaps\n", encoding="utf-8")
    outcomes = list(decide_pairs(path, Thresholds()))
    assert [o.row for o in outcomes] == [2, 3, 4, 5]
    assert outcomes[0].decision is not None and outcomes[0].decision.decision == "merge" and outcomes[0].same is True
    assert outcomes[1].decision is None and outcomes[1].error == f"{path}: row 3, column 'a': empty name"
    assert outcomes[2].decision.decision == "different" and outcomes[2].same is False
    assert outcomes[3].error == f"{path}: row 5, column 'same': 'perhaps' is not 1/0, yes/no or true/false"


def test_a_file_without_the_name_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("left,right\nA,B\n", encoding="utf-8")
    with pytest.raises(PairsFileError, match="no column 'a' or 'b'"):
        list(decide_pairs(path, Thresholds()))
