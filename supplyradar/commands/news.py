"""Commands of the news area; ``register`` adds them to the main app (see supplyradar/cli.py).

- ``supplyradar news [--supplier KVK] [--country CC] [--since DATE]``: linked, classified articles;
- ``supplyradar news classify [TEXT... | --file FILE] [--json]``: the class, its probability and whether a
  headline would become a supplier event at the configured threshold, with the cues that fired;
- ``supplyradar collect news`` and ``supplyradar collect sanctions`` (in the shared ``collect`` group);
- ``supplyradar evaluate news-classifier`` (in the shared ``evaluate`` group): the held-out evaluation
  and the model card.

Article titles are untrusted text: they are printed as plain ``Text`` cells (``rows_table``), never
as rich markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipelines.transports import TRANSPORTS, note_dataset, transport_for
from reports.tables import rows_table
from supplyradar.commands.groups import collect_app, evaluate_app
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.options import parse_date

out = Console()
err = Console(stderr=True)
news_app = typer.Typer(help="Linked, classified news articles; `news classify` explains the classifier.", invoke_without_command=True)


def news_command(
    ctx: typer.Context,
    supplier: Annotated[str | None, typer.Option("--supplier", help="KvK number of the supplier.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO country code, e.g. CN.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only articles published from this day.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many lines.")] = 50,
    all_links: Annotated[bool, typer.Option("--all-links", help="Also links below the linking threshold (name collisions).")] = False,
) -> None:
    """Linked, classified news articles: source, date, event class and confidence."""
    if ctx.invoked_subcommand is not None:
        return
    from store.news import list_articles, organisation_for_kvk

    settings = Settings()
    if country and (len(country) != 2 or not country.isalpha()):
        raise typer.BadParameter(f"{country!r} is not a two-letter country code", param_hint="--country")
    with open_store(settings) as store, store.session() as session:
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


def classify_command(
    texts: Annotated[list[str] | None, typer.Argument(help="Headlines to classify (quote each one).")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", "-f", help="One headline per line, or a CSV with a text/headline column; - reads standard input.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per headline: class, probability, event (and more).")] = False,
) -> None:
    """Classify headlines as news collection does: class, probability, and whether each would become a supplier event.

    ``event`` applies the configured ``news.min_event_probability``; a real event also needs a link to a
    watched supplier (``news.min_link_confidence``, ``news.min_event_confidence``), which a bare headline does not have.
    """
    from pipelines.news_model import HeadlineFileError, classify, read_headlines

    headlines = [t.strip() for t in texts or [] if t.strip()]
    if file is not None:
        try:
            headlines += read_headlines(file)
        except HeadlineFileError as exc:
            err.print(f"error: {exc}", markup=False)
            raise typer.Exit(2) from None
    if not headlines:
        err.print("error: no headlines: give TEXT arguments or --file FILE", markup=False)
        raise typer.Exit(2)
    threshold = Settings().news.min_event_probability
    results = classify(headlines, threshold)
    if as_json:
        for r in results:
            print(json.dumps({"class": r.label, "probability": r.probability, "event": r.event, "threshold": r.threshold,
                              "cues": list(r.cues), "text": r.text, "probabilities": r.probabilities}, ensure_ascii=False))
        return
    rows = [{"class": r.label, "probability": f"{r.probability:.2f}", "event": "yes" if r.event else "no",
             "cues": ", ".join(r.cues), "headline": r.text} for r in results]
    out.print(rows_table(f"News classifier (event: class other than 'other' with probability >= {threshold:.2f})", rows,
                         overflow="fold"))


def collect_news_command(
    source: Annotated[list[str], typer.Option("--source", "-s", help="rss, gdelt (repeat for both).")] = ["rss", "gdelt"],  # noqa: B006
    transport: Annotated[str, typer.Option(help=f"Where to read from: {', '.join(TRANSPORTS)}.")] = "live",
    since: Annotated[str | None, typer.Option(help="Recovery: fetch feeds whole (ignoring ETags) and search GDELT "
                                                   "from this day (at most three months back).")] = None,
) -> None:
    """Collect news from the configured feeds and GDELT; link, classify and store it."""
    from pipelines.collect_news import collect_news, news_settings_for

    settings = news_settings_for(Settings(), transport)
    try:
        with open_store(settings) as store:
            note_dataset(store, transport)
            summaries = collect_news(store, settings, sources=source, transport=transport_for(transport),
                                     since=parse_date(since, "--since"))
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

    settings = Settings()
    with open_store(settings) as store:
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
    """Train on the shipped labelled set; evaluate on validation, choose the event threshold there, test on the
    independent headlines; write the model card."""
    from pipelines.news_model import full_evaluation, model_card

    result = full_evaluation()
    evaluation, test = result.validation, result.independent
    rows = [{"class": c.label, "precision": f"{c.precision:.3f}", "recall": f"{c.recall:.3f}", "F1": f"{c.f1:.3f}", "support": c.support}
            for c in evaluation.per_class]
    out.print(rows_table(f"News classifier on {evaluation.rows} validation headlines ({result.model.version})", rows))
    out.print(f"validation: accuracy {evaluation.accuracy:.3f}, macro F1 {evaluation.macro_f1:.3f}; event threshold chosen "
              f"{result.threshold.threshold:.2f} (event precision {result.threshold.precision.text()})", markup=False)
    out.print(f"independent test ({test.evaluation.rows} headlines): event precision {test.events.precision.text()}; "
              f"recall {test.events.recall.text()}; 'other' turned into events {test.events.false_from_other.text()}; "
              f"accuracy {test.accuracy.text()}", markup=False)
    configured = Settings().news.min_event_probability
    if abs(configured - result.threshold.threshold) > 1e-9:
        err.print(f"note: the configured news.min_event_probability is {configured:.2f}, not the chosen {result.threshold.threshold:.2f}",
                  markup=False)
    path = card or Settings().resolved_output_dir / "news_classifier_card.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(model_card(result), encoding="utf-8")
    out.print(f"Model card: {path}", markup=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app`` (and to the shared groups in ``commands.groups``)."""
    news_app.callback()(news_command)
    news_app.command("classify")(classify_command)
    app.add_typer(news_app, name="news")
    collect_app.command("news")(collect_news_command)
    collect_app.command("sanctions")(collect_sanctions_command)
    evaluate_app.command("news-classifier")(evaluate_news_classifier_command)
