"""Tables of the risk area (see the module's revision in store/migrations/versions).

None so far: scores and runs are the shared ``scoring_runs`` and ``risk_scores`` tables, and the
model registry is file-based (``pipelines.model_files``); revision 0006 is empty on purpose.
"""

from __future__ import annotations

from store.schema.base import Base  # noqa: F401 - area tables subclass it
