"""``config.yaml_text.safe_load``: the C parser where the wheel has it, the same documents as ``yaml.safe_load``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from config.yaml_text import SAFE_LOADER, safe_load

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.mark.parametrize("path", sorted(CONFIG.glob("*.yaml")), ids=lambda p: p.name)
def test_every_config_file_loads_as_the_python_parser_loads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert safe_load(text) == yaml.safe_load(text)


def test_the_c_parser_is_used_where_installed() -> None:
    assert SAFE_LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


def test_a_broken_file_raises_yaml_error_with_its_line() -> None:
    with pytest.raises(yaml.YAMLError) as caught:
        safe_load("rules:\n  - id: a\n    severity: [warning\n")
    assert caught.value.problem_mark is not None and caught.value.problem_mark.line >= 2


def test_no_python_objects() -> None:
    with pytest.raises(yaml.YAMLError):
        safe_load("!!python/object/apply:os.system ['true']")
