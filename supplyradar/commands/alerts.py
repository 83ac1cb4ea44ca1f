"""Commands of the alerts area; ``register`` adds them to the main app (see supplyradar/cli.py).

``supplyradar alerts list|show|ack|snooze|dismiss|stats`` is the outbox and the feedback loop as a
person sees it; ``alerts send``, ``alerts digest`` and ``alerts check-sources`` run the same
functions as the ``send-alerts`` and ``send-digest`` flows; ``alerts check-config`` validates the
rules and routing; ``alerts alternatives`` suggests suppliers; ``evaluate alternatives`` backtests them.
"""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown

from config.settings import Settings
from supplyradar.commands.groups import evaluate_app
from supplyradar.commands.options import parse_date
from supplyradar.commands.tables import rows_table

alerts_app = typer.Typer(help="The alert outbox: list, show, acknowledge, snooze, dismiss; send and digest.",
                         no_args_is_help=True)
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)

_SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def _settings(routing: Path | None = None, rules: Path | None = None) -> Settings:
    settings = Settings()
    updates = {k: v for k, v in (("routing_file", routing), ("rules_file", rules)) if v is not None}
    if updates:
        settings = settings.model_copy(update={"alerts": settings.alerts.model_copy(update=updates)})
    return settings


def _store(settings: Settings):  # store.db.Store, imported lazily to keep --help fast
    from store.db import Store

    return Store(settings.resolved_database_url)


def _config(settings: Settings):  # pipelines.send_alerts.AlertConfig
    from alerts.routing import RoutingConfigError
    from alerts.rules import RuleConfigError
    from pipelines.send_alerts import load_config

    try:
        return load_config(settings)
    except (RoutingConfigError, RuleConfigError) as exc:
        err.print(str(exc), style="red", markup=False)
        raise typer.Exit(2) from None


def _user(by: str | None) -> str:
    return by or getpass.getuser()


RoutingOption = Annotated[Path | None, typer.Option("--routing", help="Routing YAML (default: settings.alerts.routing_file).")]


@alerts_app.command("list")
def list_command(
    state: Annotated[list[str], typer.Option("--state", help="open, acknowledged, snoozed, dismissed, expired.")] = [],  # noqa: B006
    all_states: Annotated[bool, typer.Option("--all", help="Every state, expired and dismissed too.")] = False,
    rule: Annotated[str | None, typer.Option(help="Only this rule.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """The outbox: alerts with their state and deliveries (default: open, acknowledged and snoozed)."""
    from store.alerts import list_alerts

    states = None if all_states else (state or ["open", "acknowledged", "snoozed"])
    with _store(Settings()) as store, store.session() as session:
        rows = list_alerts(session, states=states, rule=rule, limit=limit)
    if not rows:
        out.print("No alerts.")
        return
    out.print(rows_table("Alerts", rows, styles={"severity": lambda s: _SEVERITY_STYLE.get(str(s), "")}, overflow="fold"))


@alerts_app.command("show")
def show_command(
    alert_id: Annotated[int, typer.Argument(help="The alert's id (see alerts list).")],
    fmt: Annotated[str, typer.Option("--format", help="markdown or text.")] = "markdown",
) -> None:
    """One alert: its message, deliveries, feedback and history."""
    from alerts.render import render_alert
    from store.alerts import AlertNotFoundError, audit_of, deliveries_of, feedback_of, get_alert, utc

    settings = Settings()
    with _store(settings) as store, store.session() as session:
        try:
            alert = get_alert(session, alert_id)
        except AlertNotFoundError as exc:
            err.print(str(exc), style="red")
            raise typer.Exit(1) from None
        message = render_alert(alert, fmt="text" if fmt == "text" else "markdown", language=settings.language)
        deliveries = [
            {"recipient": d.recipient, "channel": d.channel, "round": d.round, "mode": d.mode, "status": d.status,
             "attempts": d.attempts, "next attempt": utc(d.next_attempt_at) if d.status == "pending" else None,
             "sent": utc(d.sent_at), "error": d.last_error}
            for d in deliveries_of(session, alert_id)
        ]
        feedback = [{"at": utc(f.decided_at), "by": f.decided_by, "action": f.action, "reason": f.reason, "note": f.note}
                    for f in feedback_of(session, alert_id)]
        audit = [{"at": utc(a.at), "change": a.change, "from": a.old_value, "to": a.new_value, "by": a.actor, "detail": a.detail}
                 for a in audit_of(session, alert_id)]
    out.print(f"Alert {alert_id} · state {alert.state} · severity {alert.severity}", markup=False)
    if fmt == "text":
        out.print(message.body, markup=False)
    else:
        out.print(Markdown(message.body))
    for title, rows in (("Deliveries", deliveries), ("Feedback", feedback), ("History", audit)):
        if rows:
            out.print(rows_table(title, rows, overflow="fold"))


def _feedback(alert_id: int, action: str, *, by: str | None, reason: str | None = None, note: str | None = None,
              snooze_until: datetime | None = None) -> None:
    from store.alerts import AlertNotFoundError, apply_feedback

    settings = Settings()
    now = datetime.now(UTC)
    with _store(settings) as store, store.session() as session, session.begin():
        try:
            row = apply_feedback(session, alert_id, action=action, decided_by=_user(by), now=now, reason=reason, note=note,
                                 snooze_until=snooze_until)
        except AlertNotFoundError as exc:
            err.print(str(exc), style="red")
            raise typer.Exit(1) from None
        if reason == "wrong-entity":
            _reject_match(session, row, decided_by=_user(by), note=note)
    out.print(f"Alert {alert_id}: {row.state}" + (f" ({reason})" if reason else ""), markup=False)


def _reject_match(session, row, *, decided_by: str, note: str | None) -> None:
    """A wrong-entity dismissal tells the supplier matching that this name is not this organisation."""
    from store.matching import reject_match

    if row.organisation_id is None:
        err.print("This alert names no organisation; nothing to reject in the matching.", style="yellow")
        return
    source_name = str((row.facts or {}).get("source_name") or (row.facts or {}).get("supplier") or "")
    reject_match(session, source_name=source_name, organisation_id=row.organisation_id,
                 reason=note or f"dismissed alert {row.id} as wrong-entity", decided_by=decided_by)
    out.print(f"Matching told: {source_name!r} is not organisation {row.organisation_id}.", markup=False)


ByOption = Annotated[str | None, typer.Option("--by", help="Who decides (default: your user name).")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why, in a few words.")]


@alerts_app.command("ack")
def ack_command(alert_id: int, by: ByOption = None, note: NoteOption = None) -> None:
    """Acknowledge an alert: seen and being handled (a rise in severity re-opens it)."""
    _feedback(alert_id, "ack", by=by, note=note)


@alerts_app.command("snooze")
def snooze_command(
    alert_id: int,
    days: Annotated[float, typer.Option("--days", help="For how long.")] = 7.0,
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Snooze an alert: repeats are counted but not sent until the snooze ends."""
    _feedback(alert_id, "snooze", by=by, note=note, snooze_until=datetime.now(UTC) + timedelta(days=days))


@alerts_app.command("dismiss")
def dismiss_command(
    alert_id: int,
    reason: Annotated[str, typer.Option("--reason", help="not-relevant, wrong-entity or known.")],
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Dismiss an alert. wrong-entity also tells the supplier matching that the link was wrong."""
    from store.alerts import DISMISS_REASONS

    if reason not in DISMISS_REASONS:
        raise typer.BadParameter(f"choose one of {', '.join(DISMISS_REASONS)}", param_hint="--reason")
    _feedback(alert_id, "dismiss", by=by, reason=reason, note=note)


@alerts_app.command("stats")
def stats_command() -> None:
    """Precision per rule: the share of its alerts not dismissed as not relevant."""
    from store.alerts import rule_stats

    with _store(Settings()) as store, store.session() as session:
        rows = rule_stats(session)
    out.print(rows_table("Alerts per rule", rows) if rows else "No alerts yet.")


@alerts_app.command("check-config")
def check_config_command(routing: RoutingOption = None,
                         rules: Annotated[Path | None, typer.Option("--rules", help="Rules YAML.")] = None) -> None:
    """Validate the alert rules and the routing; exit code 2 with the file, rule or person at fault."""
    config = _config(_settings(routing, rules))
    people = [{"person": p.key, "name": p.name, "digest": p.digest, "channels": ", ".join(c.name for c in p.channels)}
              for p in config.routing.people.values()]
    out.print(rows_table("People (channels by name; URLs are not shown)", people))
    categories = [{"category": c.code, "label": c.label, "managers": ", ".join(c.managers)} for c in config.routing.categories.values()]
    out.print(rows_table("Categories", categories))
    out.print(f"{len(config.rules.rules)} rules OK; ops: {', '.join(config.routing.ops)}", markup=False)


@alerts_app.command("send")
def send_command(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day the facts are judged on (default: today).")] = None,
    routing: RoutingOption = None,
    no_send: Annotated[bool, typer.Option("--no-send", help="Fill the outbox only.")] = False,
) -> None:
    """Evaluate the rules, write the outbox, send critical alerts at once, retry what is due."""
    from pipelines.send_alerts import run_send_alerts

    settings = _settings(routing)
    config = _config(settings)
    with _store(settings) as store:
        summary = run_send_alerts(store, settings, as_of=parse_date(as_of, "--as-of"), config=config, send=not no_send)
    out.print(rows_table("send-alerts", [summary.as_row()]))
    for failure in summary.failures:
        err.print(failure, style="yellow", markup=False)


@alerts_app.command("digest")
def digest_command(
    period: Annotated[str, typer.Option("--period", help="daily or weekly.")] = "daily",
    routing: RoutingOption = None,
) -> None:
    """Send each person their daily or weekly digest of what is pending for them."""
    from pipelines.send_alerts import run_send_digest

    if period not in ("daily", "weekly"):
        raise typer.BadParameter("choose daily or weekly", param_hint="--period")
    settings = _settings(routing)
    config = _config(settings)
    with _store(settings) as store:
        summary = run_send_digest(store, settings, period=period, config=config)
    out.print(rows_table(f"send-digest ({period})", [summary.as_row()]))


@alerts_app.command("check-sources")
def check_sources_command(routing: RoutingOption = None) -> None:
    """Ops alerts for sources that are late or failing (see supplyradar status)."""
    from pipelines.send_alerts import run_check_sources

    settings = _settings(routing)
    config = _config(settings)
    with _store(settings) as store:
        summary = run_check_sources(store, settings, config=config)
    out.print(rows_table("check-sources", [summary.as_row()]))


@alerts_app.command("alternatives")
def alternatives_command(
    supplier: Annotated[str, typer.Option("--supplier", help="org_key (NL:id:12345678) or KvK number.")],
    cpv: Annotated[str, typer.Option("--cpv", help="CPV code of what they supply, e.g. 90910000.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Reference day (default: today).")] = None,
) -> None:
    """Suggest alternative suppliers from the award history, each with its reason."""
    from sqlalchemy import select

    from pipelines.alternatives import suggest_for
    from store.schema import Organisation

    settings = Settings()
    key = supplier if ":" in supplier else f"NL:id:{supplier}"
    code = cpv.split("-", 1)[0]
    if not (code.isdigit() and len(code) == 8):
        raise typer.BadParameter("give an 8-digit CPV code", param_hint="--cpv")
    with _store(settings) as store, store.session() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.org_key == key))
        if org_id is None:
            err.print(f"no organisation {key!r} in the store", style="red", markup=False)
            raise typer.Exit(1)
        result = suggest_for(session, settings, organisation_id=org_id, cpv=code,
                             as_of=parse_date(as_of, "--as-of") or date.today())
    rows = [{"#": i, "supplier": a.name, "country": a.country, "score": round(a.score, 2),
             "reason": a.reason(result.branch_code, settings.language)} for i, a in enumerate(result.ranked, 1)]
    out.print(rows_table(f"Alternatives under {result.branch_code} since {result.since}", rows, overflow="fold"))
    for note in result.notes:
        out.print(note, markup=False)
    if result.excluded:
        out.print("Left out: " + "; ".join(f"{e.name} ({e.why})" for e in result.excluded), markup=False)


@evaluate_app.command("alternatives")
def evaluate_alternatives_command(
    cutoff: Annotated[str, typer.Option("--cutoff", help="Suggest from data up to this day, e.g. 2024-01-01.")],
    category: Annotated[str, typer.Option("--category", help="CPV prefix of the later awards to test (default: all).")] = "",
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="Later awards up to this many days after the cutoff.")] = 730,
) -> None:
    """Backtest: was the supplier that won a later award among the top 5 and top 10 suggestions?"""
    from pipelines.alternatives import run_backtest
    from reference.cpv import cpv_prefix

    settings = Settings()
    day = parse_date(cutoff, "--cutoff")
    prefix = cpv_prefix(category) if category else ""
    with _store(settings) as store, store.session() as session:
        result = run_backtest(session, settings, cutoff=day, category=prefix, horizon_days=horizon_days)
    total = len(result.cases)
    known = total - result.new_entrants

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0%}"

    def recall(hits: int) -> str:
        return f"{pct(hits / total if total else None)} ({hits})"

    rows = [
        {"ranking": "alternatives", "cases": total, "recall@5": recall(result.hits(5)), "recall@10": recall(result.hits(10)),
         "known@5": pct(result.recall(5, known_only=True)), "known@10": pct(result.recall(10, known_only=True))},
        {"ranking": "baseline", "cases": total, "recall@5": recall(result.baseline_hits[5]),
         "recall@10": recall(result.baseline_hits[10]), "known@5": "", "known@10": ""},
    ]
    out.print(rows_table(f"Alternatives backtest: cutoff {result.cutoff}, awards to {result.until}, "
                         f"category {prefix or 'all'}, branch depth {result.depth}", rows))
    out.print(
        f"{total} later awards to someone other than the buyer's previous supplier in the branch "
        f"({known} to suppliers known before the cutoff, {result.new_entrants} to new entrants, counted as misses). "
        f"Left out: {result.skipped_incumbent_won} re-awarded to the incumbent, {result.skipped_no_incumbent} by buyers "
        "with no earlier award in the branch. Joint awards: a hit when any winner is suggested. Ties are broken by "
        "more wins, later last win, then name. recall@k: share (and number) of cases whose winner was among the "
        "first k; known@k: the same without the new entrants. baseline: the branch's "
        "winners by number of wins in the window, unweighted.",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app`` (and to the shared groups in ``commands.groups``)."""
    app.add_typer(alerts_app, name="alerts")
