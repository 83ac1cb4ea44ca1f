"""Commands of the news area; ``register`` adds them to the main app (see supplyradar/cli.py).

- ``supplyradar news [--supplier KVK] [--country CC] [--since DATE]``: linked, classified articles;
- ``supplyradar collect news`` and ``supplyradar collect sanctions`` (in the shared ``collect`` group);
- ``supplyradar evaluate news-classifier`` (in the shared ``evaluate`` group): the held-out evaluation
  and the model card.

Article titles are untrusted text: they are printed as plain ``Text`` cells (``rows_table``), never
as rich markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from config.settings import Settings
from pipelines.transports import TRANSPORTS, note_dataset, transport_for
from supplyradar.commands.groups import collect_app, evaluate_app
from supplyradar.commands.options import parse_date
from supplyradar.commands.tables import rows_table

out = Console()
err = Console(stderr=True)


def news_command(
    supplier: Annotated[str | None, typer.Option("--supplier", help="KvK number of the supplier.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO country code, e.g. CN.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only articles published from this day.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many lines.")] = 50,
    all_links: Annotated[bool, typer.Option("--all-links", help="Also links below the linking threshold (name collisions).")] = False,
) -> None:
    """Linked, classified news articles: source, date, event class and confidence."""
    from store.db import Store
    from store.news import list_articles, organisation_for_kvk

    settings = Settings()
    if country and (len(country) != 2 or not country.isalpha()):
        raise typer.BadParameter(f"{country!r} is not a two-letter country code", param_hint="--country")
    with Store(settings.resolved_database_url) as store, store.session() as session:
        organisation_id = None
        if supplier:
            organisation_id = organisation_for_kvk(session, supplier.strip())
            if organisation_id is None:
                err.print(f"No organisation with KvK number {supplier!r} in the store.", markup=False)
                raise typer.Exit(1)
        articles = list_articles(session, organisation_id=organisation_id, country=country, since=parse_date(since, "--since"),
                                 min_link_confidence=0.0 if all_links else settings.news.min_link_confidence, limit=limit)
    if not articles:
        out.print("No linked articles.")
        return
    rows = [
        {"date": a.published_on, "source": f"{a.source}: {a.outlet}", "class": a.event_class or "",
         "confidence": "" if a.confidence is None else f"{a.confidence:.2f}", "supplier": a.organisation or "",
         "link": "" if a.link_confidence is None else f"{a.link_confidence:.2f}", "countries": " ".join(a.countries), "title": a.title}
        for a in articles
    ]
    out.print(rows_table("News", rows, overflow="fold"))


def collect_news_command(
    source: Annotated[list[str], typer.Option("--source", "-s", help="rss, gdelt (repeat for both).")] = ["rss", "gdelt"],  # noqa: B006
    transport: Annotated[str, typer.Option(help=f"Where to read from: {', '.join(TRANSPORTS)}.")] = "live",
) -> None:
    """Collect news from the configured feeds and GDELT; link, classify and store it."""
    from pipelines.collect_news import collect_news, news_settings_for
    from store.db import Store

    settings = news_settings_for(Settings(), transport)
    try:
        with Store(settings.resolved_database_url) as store:
            note_dataset(store, transport)
            summaries = collect_news(store, settings, sources=source, transport=transport_for(transport))
    except ValueError as exc:  # unknown source, invalid feeds file
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    out.print(rows_table("News collection", [s.as_row() for s in summaries]))
    for summary in summaries:
        for failure in summary.failures:
            err.print(f"{summary.source}: {failure}", markup=False)
        if summary.error:
            err.print(f"{summary.source}: {summary.error}", markup=False)
    if any(s.status != "ok" for s in summaries):
        raise typer.Exit(1)


def collect_sanctions_command(
    transport: Annotated[str, typer.Option(help=f"Where to read from: {', '.join(TRANSPORTS)}.")] = "live",
) -> None:
    """Download the EU consolidated sanctions list (if changed) and screen every supplier against it."""
    from pipelines.screen_sanctions import collect_sanctions
    from store.db import Store

    settings = Settings()
    with Store(settings.resolved_database_url) as store:
        note_dataset(store, transport)
        summary = collect_sanctions(store, settings, transport=transport_for(transport))
    out.print(rows_table("Sanctions screening", [summary.as_row()]))
    if summary.matches:
        rows = [{"supplier": m.supplier_name, "listed as": m.alias, "score": f"{m.score:.0f}", "programmes": ", ".join(m.programmes),
                 "entry": m.entry_id} for m in summary.matches]
        out.print(rows_table("Possible matches for human review (not findings)", rows, overflow="fold"))
    if summary.status != "ok":
        err.print(f"error: {summary.error}", markup=False)
        raise typer.Exit(1)


def evaluate_news_classifier_command(
    card: Annotated[Path | None, typer.Option("--card", help="Where to write the model card (default: <data_dir>/reports).")] = None,
) -> None:
    """Train on the shipped labelled set, evaluate on the held-out set, write the model card."""
    from pipelines.news_model import held_out_evaluation, model_card

    model, evaluation = held_out_evaluation()
    rows = [{"class": c.label, "precision": f"{c.precision:.3f}", "recall": f"{c.recall:.3f}", "F1": f"{c.f1:.3f}", "support": c.support}
            for c in evaluation.per_class]
    out.print(rows_table(f"News classifier on {evaluation.rows} held-out headlines ({model.version})", rows))
    out.print(f"accuracy {evaluation.accuracy:.3f}, macro F1 {evaluation.macro_f1:.3f}")
    path = card or Settings().resolved_output_dir / "news_classifier_card.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(model_card(model, evaluation), encoding="utf-8")
    out.print(f"Model card: {path}", markup=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app`` (and to the shared groups in ``commands.groups``)."""
    app.command("news")(news_command)
    collect_app.command("news")(collect_news_command)
    collect_app.command("sanctions")(collect_sanctions_command)
    evaluate_app.command("news-classifier")(evaluate_news_classifier_command)
