"""Alerts: rules turn events, scores, contract horizons and source health into alerts; routing sends them.

- ``rules``: ``config/alert_rules.yaml``, validated at start-up (first matching rule decides).
- ``routing``: ``config/routing.yaml``: categories to managers, people's Apprise channels, ops.
- ``evaluate``: pure, facts in, candidate alerts out; ``lifecycle``: group, escalate, re-notify.
- ``render``: Markdown, HTML and text in English or Dutch, outside text escaped.
- ``file_outbox``: the ``srfile://`` Apprise channel that writes messages as files.

The outbox tables are ``store/schema/alerts.py`` (writes in ``store/alerts.py``); the runs the
flows and the CLI make are in ``pipelines/send_alerts.py``.
"""
