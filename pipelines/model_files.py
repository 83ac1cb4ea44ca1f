"""Trained failure models on disk: a skops file plus a JSON metadata file, refused when anything does not match.

Layout in ``<data_dir>/models/`` (or ``settings.risk.model_dir``):

- ``failure-model.skops``: the scikit-learn pipeline (skops format: no pickle, only trusted types load);
- ``failure-model.json``: version, Platt scaling, feature list, library versions, training summary;
- ``failure-model-card.md``: the model card (written by ``pipelines.train_models``).

Loading checks that the feature list, scikit-learn, skops and numpy versions are those the model was
saved with; any mismatch (or a missing, broken or unsafe file) raises :class:`ModelFileError`, and
the scorer falls back to the transparent baseline with a warning. The registry is file-based: the
0006 revision is left empty on purpose.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy
import sklearn
import skops
import skops.io as sio

from models.failure import FittedModel
from models.features import FEATURES

MODEL_FILE = "failure-model.skops"
META_FILE = "failure-model.json"
CARD_FILE = "failure-model-card.md"
#: Types skops may load besides its own defaults: numpy dtypes inside the fitted scaler and imputer.
TRUSTED_TYPES = ("numpy.dtype",)
FORMAT = 1


class ModelFileError(RuntimeError):
    """A saved model cannot be used: missing, unreadable, unsafe or saved with other library versions."""


def library_versions() -> dict[str, str]:
    return {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "numpy": numpy.__version__,
            "python": platform.python_version()}


def save_model(directory: Path, model: FittedModel, summary: dict[str, Any]) -> Path:
    """Write the pipeline and its metadata; returns the metadata path."""
    directory.mkdir(parents=True, exist_ok=True)
    sio.dump(model.pipeline, directory / MODEL_FILE)
    meta = {
        "format": FORMAT,
        "version": model.version,
        "features": list(model.features),
        "platt": {"a": model.platt_a, "b": model.platt_b},
        "libraries": library_versions(),
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "summary": summary,
    }
    path = directory / META_FILE
    path.write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
    return path


def read_meta(directory: Path) -> dict[str, Any]:
    path = directory / META_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelFileError(f"no trained model in {directory} (run `supplyradar model train`)") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path}: unreadable model metadata: {exc}") from exc


def load_model(directory: Path) -> FittedModel:
    """The saved model, or :class:`ModelFileError` saying why it cannot be used."""
    meta = read_meta(directory)
    summary = meta.get("summary") or {}
    if summary.get("selected") != "model" or not meta.get("version"):
        raise ModelFileError(f"training selected the transparent baseline ({summary.get('reason', 'no reason given')})")
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"{directory / META_FILE}: format {meta.get('format')!r}, expected {FORMAT}")
    if meta.get("features") != list(FEATURES):
        raise ModelFileError(f"{directory / META_FILE}: saved with other features than this version computes")
    saved, current = meta.get("libraries", {}), library_versions()
    mismatched = [f"{lib} {saved.get(lib)} (now {current[lib]})" for lib in ("scikit-learn", "skops", "numpy")
                  if saved.get(lib) != current[lib]]
    if mismatched:
        raise ModelFileError(f"{directory / MODEL_FILE} was saved with " + ", ".join(mismatched) + ": retrain it")
    path = directory / MODEL_FILE
    try:
        untrusted = sio.get_untrusted_types(file=path)
        unexpected = [t for t in untrusted if t not in TRUSTED_TYPES]
        if unexpected:
            raise ModelFileError(f"{path}: holds types that are not trusted: {', '.join(unexpected)}")
        pipeline = sio.load(path, trusted=list(TRUSTED_TYPES))
    except ModelFileError:
        raise
    except Exception as exc:  # skops raises many kinds on a broken file; all mean "unusable"
        raise ModelFileError(f"{path}: cannot load: {exc}") from exc
    platt = meta.get("platt") or {}
    return FittedModel(pipeline, float(platt["a"]), float(platt["b"]), str(meta["version"]))
