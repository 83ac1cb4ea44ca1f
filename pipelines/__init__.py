"""What each flow and command runs: plain functions that load from the store, call connectors and models, and write back.

One module per flow, named as the flow in ``flows/`` (``flows/send_alerts.py`` runs ``pipelines/send_alerts.py``),
plus the shared helpers the commands use. No Prefect here: flows wrap these in tasks.
"""
