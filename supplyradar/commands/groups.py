"""Command groups that several areas add commands to (``collect``, ``import``, ``evaluate``).

Each area module in ``supplyradar/commands/`` has a ``register(app)`` that adds its own
commands to the main app and, where they belong in a shared group, to one of these.
"""

from __future__ import annotations

import typer

collect_app = typer.Typer(help="Collect data from the outside world into the store.", no_args_is_help=True)
import_app = typer.Typer(help="Import data files into the store.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Measure how well the models and suggestions do on held-out history.", no_args_is_help=True)
