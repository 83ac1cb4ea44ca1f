"""Model fitting on one BLAS thread: the same data give the same model on every machine, at less CPU.

Why: OpenBLAS splits the sums of a matrix product over its threads, so a fit's last bits depended on the
machine's core count (the failure model's coefficients differed by about 1e-12 between one and two threads:
a model card alike to the printed digits, scores not bit for bit); and on a busy machine its worker threads
spin while they wait, which cost more CPU than the fits themselves (scale-8 training: 4.1 CPU-s on two
threads, 1.1 on one). The fits here are small (at most some hundred thousand rows of 14 columns): one thread
gives up no wall time worth having. Pure: a decorator, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from threadpoolctl import threadpool_limits

P = ParamSpec("P")
R = TypeVar("R")


def one_blas_thread(fit: Callable[P, R]) -> Callable[P, R]:
    """Run ``fit`` with BLAS (numpy's and scipy's) limited to one thread; the limit is lifted on return."""

    @wraps(fit)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with threadpool_limits(limits=1, user_api="blas"):
            return fit(*args, **kwargs)

    return run
