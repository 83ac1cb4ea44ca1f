"""Prefect flows: thin wrappers over ``pipelines``.

Every flow run imports this package first, in whatever process Prefect's runner starts it, so the cyclic
collector's batch thresholds are set here (``models.collector_pause.use_batch_thresholds``: why there).
"""

from models.collector_pause import use_batch_thresholds

use_batch_thresholds()
