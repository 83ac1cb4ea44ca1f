"""Commands of the alerts area; ``register`` adds them to the main app (see supplyradar/cli.py).

``supplyradar alerts list|show|ack|snooze|dismiss|stats`` is the outbox and the feedback loop as a
person sees it; ``alerts send``, ``alerts digest`` and ``alerts check-sources`` run the same
functions as the ``send-alerts`` and ``send-digest`` flows, ``alerts learn-ranker`` the score-suppliers
flow's learning of the alternatives ranker; ``alerts check-config`` validates the
rules and routing; ``alerts alternatives`` suggests suppliers; ``evaluate alternatives`` backtests them.
The rows and sentences they print are built in ``reports.alert_tables`` and ``reports.alternatives``.
"""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from reports.alert_tables import category_rows, outbox_row, people_rows, rule_stats_rows
from reports.tables import emit, rows_table
from supplyradar.commands.groups import evaluate_app
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.options import literal, parse_date

alerts_app = typer.Typer(help="The alert outbox: list, show, acknowledge, snooze, dismiss; send and digest.",
                         no_args_is_help=True)
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)

_SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


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
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per alert, for scripts.")] = False,
) -> None:
    """The outbox: alerts with their state and deliveries (default: open, acknowledged and snoozed)."""
    from store.alerts import list_alerts

    states = None if all_states else (state or ["open", "acknowledged", "snoozed"])
    settings = Settings()
    with open_store(settings) as store:
        _end_snoozes(store, settings)
        with store.session() as session:
            rows = list_alerts(session, states=states, rule=rule, limit=limit)
    if not rows and not as_json:
        out.print("No alerts.")
        return
    if not as_json:
        rows = [outbox_row(r) for r in rows]
    emit(out, "Alerts", rows, as_json=as_json, wide=("title",), optional=("rule", "deliveries", "count", "last seen"),
         styles={"severity": lambda s: _SEVERITY_STYLE.get(str(s), "")})


def _end_snoozes(store, settings: Settings) -> list[int]:
    """Snoozes whose time is up end before the outbox is shown, as in the send flows (``pipelines.alert_snoozes``)."""
    from pipelines.alert_snoozes import end_due_snoozes

    return end_due_snoozes(store, settings.alerts.routing_file, actor="cli")


@alerts_app.command("show")
def show_command(
    alert_id: Annotated[int, typer.Argument(help="The alert's id (see alerts list).")],
    fmt: Annotated[str, typer.Option("--format", help="markdown or text.")] = "markdown",
) -> None:
    """One alert: its message, deliveries, feedback and history."""
    from alerts.render import render_alert
    from store.alerts import AlertNotFoundError, alert_history_rows, get_alert, utc

    settings = Settings()
    with open_store(settings) as store:
        _end_snoozes(store, settings)
        with store.session() as session:
            try:
                alert = get_alert(session, alert_id)
            except AlertNotFoundError as exc:
                err.print(str(exc), style="red")
                raise typer.Exit(1) from None
            message = render_alert(alert, fmt="text" if fmt == "text" else "markdown", language=settings.language)
            history = alert_history_rows(session, alert_id)
    until = f" until {utc(alert.snoozed_until):%Y-%m-%d %H:%M} UTC" if alert.state == "snoozed" and alert.snoozed_until else ""
    out.print(f"Alert {alert_id} · state {alert.state}{until} · severity {alert.severity}", markup=False)
    if fmt == "text":
        out.print(message.body, markup=False)
    else:
        from rich.markdown import Markdown

        out.print(Markdown(message.body))
    for title, rows in history:
        if rows:
            out.print(rows_table(title, rows, overflow="fold"))


def _feedback(alert_id: int, action: str, *, by: str | None, reason: str | None = None, note: str | None = None,
              snooze_until: datetime | None = None, preview: bool = False) -> None:
    from store.alerts import AlertNotFoundError, apply_feedback
    from store.identity_feedback import (
        WrongCompanyRefused,
        apply_wrong_company,
        plan_wrong_company,
    )

    settings = Settings()
    now = datetime.now(UTC)
    with open_store(settings) as store, store.session() as session, session.begin():
        if reason == "wrong-entity":
            # "wrong company" undoes the link behind the alert, or is refused with the reason (store.identity_feedback)
            try:
                plan = plan_wrong_company(session, alert_id)
            except LookupError as exc:
                err.print(str(exc), style="red", markup=False)
                raise typer.Exit(1) from None
            _print_plan(plan)
            if not plan.allowed:
                err.print("Refused: the alert was not changed.", style="red", markup=False)
                raise typer.Exit(1)
            if preview:
                out.print("Preview only: nothing changed (run without --preview to apply).", markup=False)
                return
        try:
            row = apply_feedback(session, alert_id, action=action, decided_by=_user(by), now=now, reason=reason, note=note,
                                 snooze_until=snooze_until)
        except AlertNotFoundError as exc:
            err.print(str(exc), style="red")
            raise typer.Exit(1) from None
        except ValueError as exc:
            err.print(str(exc), style="red", markup=False)
            raise typer.Exit(2) from None
        if reason == "wrong-entity":
            try:
                apply_wrong_company(session, alert_id, decided_by=_user(by), note=note, now=now)
            except WrongCompanyRefused as exc:  # the data changed since the preview
                err.print(f"Refused: {exc}", style="red", markup=False)
                raise typer.Exit(1) from None
            out.print(f"Undo with: supplyradar alerts undo-wrong-company {alert_id}", markup=False)
    until = f" until {snooze_until:%Y-%m-%d %H:%M} UTC" if action == "snooze" and snooze_until else ""
    out.print(f"Alert {alert_id}: {row.state}{until}" + (f" ({reason})" if reason else ""), markup=False)


def _print_plan(plan) -> None:  # plan: store.identity_feedback.WrongCompanyPlan
    target = out if plan.allowed else err
    target.print(f"Wrong company, alert {plan.alert_id}: {plan.explanation}", markup=False, highlight=False)
    for change in plan.changes:
        target.print(f"  - {change}", markup=False, highlight=False)


ByOption = Annotated[str | None, typer.Option("--by", help="Who decides (default: your user name).")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why, in a few words.")]


@alerts_app.command("ack")
def ack_command(alert_id: int, by: ByOption = None, note: NoteOption = None) -> None:
    """Acknowledge an alert: seen and being handled (a rise in severity re-opens it)."""
    _feedback(alert_id, "ack", by=by, note=note)


@alerts_app.command("snooze")
def snooze_command(
    alert_id: int,
    days: Annotated[float, typer.Option("--days", help="For how long, in days (more than 0, at most 90).")] = 7.0,
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Snooze an alert: repeats are counted but not sent until the snooze ends; then it is back in the inbox."""
    from store.alerts import MAX_SNOOZE

    if not 0 < days <= MAX_SNOOZE.days:
        raise typer.BadParameter(f"give a number of days above 0 and at most {MAX_SNOOZE.days}", param_hint="--days")
    until = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    _feedback(alert_id, "snooze", by=by, note=note, snooze_until=until)


@alerts_app.command("dismiss")
def dismiss_command(
    alert_id: int,
    reason: Annotated[str, typer.Option("--reason", help="not-relevant, wrong-entity or known.")],
    by: ByOption = None,
    note: NoteOption = None,
    preview: Annotated[bool, typer.Option("--preview", help="wrong-entity: show what would change, change nothing.")] = False,
) -> None:
    """Dismiss an alert. wrong-entity undoes the link that produced it (a news link, a name match), with a preview
    and an undo; it is refused when the alert came from the supplier's own KvK-keyed data."""
    from store.alerts import DISMISS_REASONS

    if reason not in DISMISS_REASONS:
        raise typer.BadParameter(f"choose one of {', '.join(DISMISS_REASONS)}", param_hint="--reason")
    _feedback(alert_id, "dismiss", by=by, reason=reason, note=note, preview=preview)


@alerts_app.command("undo-wrong-company")
def undo_wrong_company_command(alert_id: int, by: ByOption = None) -> None:
    """Put back the link a "wrong company" dismissal undid (the alert stays dismissed; reopen it by hand if needed)."""
    from store.identity_feedback import NothingToUndo, undo_wrong_company

    with open_store(Settings()) as store, store.session() as session, session.begin():
        try:
            done = undo_wrong_company(session, alert_id, decided_by=_user(by))
        except NothingToUndo as exc:
            err.print(str(exc), style="red", markup=False)
            raise typer.Exit(1) from None
    for line in done or ["nothing needed restoring"]:
        out.print(f"  - {line}", markup=False, highlight=False)


@alerts_app.command("stats")
def stats_command() -> None:
    """Precision per rule over the alerts people acknowledged or dismissed, with its 95% interval (store.alerts)."""
    from store.alerts import rule_stats

    with open_store(Settings()) as store, store.session() as session:
        rows = rule_stats(session)
    out.print(rows_table("Alerts per rule", rule_stats_rows(rows)) if rows else "No alerts yet.")


@alerts_app.command("check-config")
def check_config_command(routing: RoutingOption = None,
                         rules: Annotated[Path | None, typer.Option("--rules", help="Rules YAML.")] = None) -> None:
    """Validate the alert rules and the routing; exit code 2 with the file, rule or person at fault."""
    config = _config(Settings().with_alert_files(routing=routing, rules=rules))
    out.print(rows_table("People (channels by name; URLs are not shown)", people_rows(config.routing)))
    out.print(rows_table("Categories", category_rows(config.routing)))
    out.print(f"{len(config.rules.rules)} rules OK; ops: {', '.join(config.routing.ops)}", markup=False)


@alerts_app.command("send")
def send_command(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day the facts are judged on (default: today).")] = None,
    routing: RoutingOption = None,
    no_send: Annotated[bool, typer.Option("--no-send", help="Fill the outbox only.")] = False,
) -> None:
    """Evaluate the rules, write the outbox, send critical alerts at once, retry what is due."""
    from pipelines.send_alerts import run_send_alerts

    settings = Settings().with_alert_files(routing=routing)
    config = _config(settings)
    with open_store(settings) as store:
        summary = run_send_alerts(store, settings, as_of=parse_date(as_of, "--as-of"), config=config, send=not no_send)
    out.print(rows_table("send-alerts", [summary.as_row()]))
    for failure in summary.failures:
        err.print(failure, style="yellow", markup=False)


@alerts_app.command("learn-ranker")
def learn_ranker_command(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Learn from the awards before this day (default: today).")] = None,
    routing: RoutingOption = None,
) -> None:
    """Learn the alternatives ranker after a scoring run and keep it, and the markets and CPV divisions the day's
    alert runs read, for them (the score-suppliers flow does this)."""
    from pipelines.alternatives import learn_ranker_keeping_history
    from pipelines.prepared_alert_facts import prepare_alert_facts

    settings, day = Settings().with_alert_files(routing=routing), parse_date(as_of, "--as-of") or date.today()
    with open_store(settings) as store, store.session() as session, session.begin():
        ranker, whole = learn_ranker_keeping_history(session, settings, as_of=day)
        kept = prepare_alert_facts(session, settings, as_of=day, whole=whole)
    out.print(f"{ranker.describe()}; kept for the alert runs: {kept}", markup=False)


@alerts_app.command("digest")
def digest_command(
    period: Annotated[str, typer.Option("--period", help="daily or weekly.")] = "daily",
    routing: RoutingOption = None,
) -> None:
    """Send each person their daily or weekly digest of what is pending for them."""
    from pipelines.send_alerts import run_send_digest

    if period not in ("daily", "weekly"):
        raise typer.BadParameter("choose daily or weekly", param_hint="--period")
    settings = Settings().with_alert_files(routing=routing)
    config = _config(settings)
    with open_store(settings) as store:
        summary = run_send_digest(store, settings, period=period, config=config)
    out.print(rows_table(f"send-digest ({period})", [summary.as_row()]))


@alerts_app.command("check-sources")
def check_sources_command(routing: RoutingOption = None) -> None:
    """Ops alerts for sources that are late or failing (see supplyradar status)."""
    from pipelines.send_alerts import run_check_sources

    settings = Settings().with_alert_files(routing=routing)
    config = _config(settings)
    with open_store(settings) as store:
        summary = run_check_sources(store, settings, config=config)
    out.print(rows_table("check-sources", [summary.as_row()]))


@alerts_app.command("alternatives")
def alternatives_command(
    supplier: Annotated[str, typer.Option("--supplier", help=literal("org_key (NL:id:12345678) or KvK number."))],
    cpv: Annotated[str, typer.Option("--cpv", help="Category code of what they supply, e.g. CPV 90910000.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Reference day (default: today).")] = None,
    scheme: Annotated[str, typer.Option("--scheme", help="Category scheme of the code (CPV, UNSPSC, or as imported).")] = "CPV",
) -> None:
    """Suggest alternative suppliers from the award history, each with what it rests on."""
    from models.categories import CPV, clean_code, scheme_name
    from pipelines.alternatives import suggest_for
    from reports.alternatives import excluded_line, suggestion_rows, suggestion_title
    from store.web_pages import organisation_ids

    settings = Settings()
    key = supplier if ":" in supplier else f"NL:id:{supplier}"
    code = clean_code(cpv, scheme)
    if scheme_name(scheme) == CPV and not (code.isdigit() and len(code) == 8):
        raise typer.BadParameter("give an 8-digit CPV code (or another scheme with --scheme)", param_hint="--cpv")
    if not code:
        raise typer.BadParameter("give a category code", param_hint="--cpv")
    with open_store(settings) as store, store.session() as session:
        org_id = organisation_ids(session, [key]).get(key)
        if org_id is None:
            err.print(f"no organisation {key!r} in the store", style="red", markup=False)
            raise typer.Exit(1)
        result = suggest_for(session, settings, organisation_id=org_id, cpv=code, scheme=scheme,
                             as_of=parse_date(as_of, "--as-of") or date.today())
    out.print(rows_table(suggestion_title(result), suggestion_rows(result, settings.language), overflow="fold"))
    for note in result.notes:
        out.print(note, markup=False)
    if (left_out := excluded_line(result)) is not None:
        out.print(left_out, markup=False)


@evaluate_app.command("alternatives")
def evaluate_alternatives_command(
    cutoff: Annotated[str, typer.Option("--cutoff", help="Suggest from data before this day, e.g. 2024-01-01.")],
    category: Annotated[str, typer.Option("--category", help="Code prefix of the later awards to test (default: all).")] = "",
    horizon_days: Annotated[int, typer.Option("--horizon-days", min=1,
                                              help="Later awards from the cutoff day on, for this many days.")] = 730,
    rolling: Annotated[bool, typer.Option("--rolling", help="Predict each award from the day before it, as production "
                                                            "does (the ranker relearned every 91 days).")] = False,
    ranker: Annotated[str, typer.Option("--ranker", help="learned (fixed weights when history is thin) or transparent.")]
    = "learned",
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON (recall as fractions).")] = False,
) -> None:
    """Backtest: was the supplier that won a later award among the top 5 and top 10 suggestions?"""
    import json

    from pipelines.alternatives import run_backtest
    from reference.cpv import cpv_prefix
    from reports.alternatives import backtest_notes, backtest_rows, backtest_title, difference_lines

    if ranker not in ("learned", "transparent"):
        raise typer.BadParameter("learned or transparent", param_hint="--ranker")
    settings = Settings()
    day = parse_date(cutoff, "--cutoff")
    prefix = category.strip()
    if prefix.split("-", 1)[0].isdigit() and len(prefix.split("-", 1)[0]) == 8:
        prefix = cpv_prefix(prefix)  # an 8-digit CPV code stands for its branch of the tree
    with open_store(settings) as store, store.session() as session:
        result = run_backtest(session, settings, cutoff=day, category=prefix, horizon_days=horizon_days,
                              rolling=rolling, ranker=ranker)
    summary = result.summary()
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    out.print(rows_table(backtest_title(result, summary, prefix), backtest_rows(summary)))
    for line in difference_lines(summary):
        out.print(line, markup=False)
    out.print(backtest_notes(result, summary), markup=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app`` (and to the shared groups in ``commands.groups``)."""
    app.add_typer(alerts_app, name="alerts")
