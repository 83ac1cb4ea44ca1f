"""Our YAML files read with PyYAML's C parser (libyaml) where the installed wheel has it, else its Python one.

Why: rules, routing, risk settings, feeds and column mappings are read by every flow run and CLI command, and
the pure-Python parser took 10-17 ms for each of the larger files, about ten times the C parser's time. Both
build the documents with PyYAML's safe constructor, so they load the same values and raise the same
``yaml.YAMLError`` types, with the line and column of the fault in ``problem_mark``.
"""

from __future__ import annotations

from typing import Any

import yaml

#: The safe loader: libyaml's parser when the wheel was built with it.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)``, parsed by ``SAFE_LOADER``."""
    return yaml.load(text, Loader=SAFE_LOADER)
