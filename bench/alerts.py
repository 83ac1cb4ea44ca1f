"""Alerts at the scale of a national store: an alert run's CPU per alert, and one suggestion of alternatives.

``alert_run`` (``python -m bench.alerts STORE.db``, and ``make bench-scale``) runs the send-alerts
evaluation on a copy of a ``supplyradar demo --scale N`` store and reports CPU ms per alert (target
<= 20 ms, the run's reads included) and the run's peak RSS; ``fastest_alert_run`` keeps the fastest of
``ALERT_RUNS`` such runs, each cold in a process of its own, and shows the slowest beside it. ``alternatives_ranking`` (``make bench``):

A send-alerts run suggests alternatives for each new alert; a backtest suggests for every later
award. Both must stay cheap on a real history: 100,000 awards (about ten years of Dutch award
notices across all categories) with 5,000 suppliers. Target: one suggestion under 50 ms (best
of ``ROUNDS``), features and the learned model's scoring and reasons included. The history is
indexed once per run (an alert run, a backtest) and the ranker learned once a day after scoring
(once per backtest): both are measured and shown, with their own, looser target. The history is random but shaped like a market (a few
suppliers win most, buyers of six kinds in nine regions), which is all the ranking's cost
depends on.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import Result
from bench.peak_memory import peak_rss_mib
from models.alternative_ranker import fit_ranker
from models.alternatives import CompanyFacts, HistoryIndex, PastAward, Request, suggest

AWARDS = 100_000
SUPPLIERS = 5_000
ROUNDS = 5
TARGET_SECONDS = 0.05
PREPARE_TARGET_SECONDS = 60.0  # index + learning, once per run
KINDS = ("municipality", "province", "water-board", "hospital", "university", "agency")


def synthetic_history(seed: int = 7) -> tuple[list[PastAward], dict[str, CompanyFacts]]:
    rng = random.Random(seed)
    branches = [f"{d:02d}{b}" for d in (9, 30, 45, 48, 72, 79, 90) for b in range(10)]
    start = date(2016, 1, 1)
    awards = [
        PastAward(
            published=start + timedelta(days=rng.randint(0, 3650)),
            cpv=(rng.choice(branches) + "00000")[:8],
            buyer_key=f"B{rng.randint(1, 800)}",
            buyer_name="Gemeente X",
            buyer_kind=rng.choice(KINDS),
            buyer_region=f"NL-{rng.randint(1, 9)}",
            value=rng.lognormvariate(13, 1),
            winners=(f"S{int(rng.paretovariate(1.2)) % SUPPLIERS}",),
        )
        for _ in range(AWARDS)
    ]
    companies = {f"S{i}": CompanyFacts(f"S{i}", f"Supplier {i}", "NL", failure_band=rng.choice(("low", "medium", None)))
                 for i in range(SUPPLIERS)}
    return awards, companies


def alternatives_ranking() -> Result:
    """Time of one ``suggest`` over the whole history (it filters the branch itself)."""
    awards, companies = synthetic_history()
    started = time.process_time()
    index = HistoryIndex(awards)
    indexed = time.process_time() - started
    started = time.process_time()
    ranker = fit_ranker(index, companies, as_of=date(2026, 1, 1))
    learned = time.process_time() - started
    request = Request(supplier_key="S1", cpv="72500000", as_of=date(2026, 1, 1), depth=3, buyer_kind="municipality",
                      buyer_region="NL-3", reference_value=500_000.0, prefer_countries=("NL",), top_n=10,
                      buyer_key="B17")
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        result = suggest(index, companies, request, ranker=ranker)
        best = min(best, time.process_time() - started)
    return {
        "name": "alternatives-ranking",
        "target": f"one suggestion over {AWARDS:,} awards < {TARGET_SECONDS} s; index + learning < {PREPARE_TARGET_SECONDS} s",
        "passed": best < TARGET_SECONDS and indexed + learned < PREPARE_TARGET_SECONDS,
        "seconds": round(best, 4),
        "index_seconds": round(indexed, 2),
        "learn_seconds": round(learned, 2),
        "ranker": ranker.kind,
        "awards": AWARDS,
        "suggested": len(result.ranked),
    }


#: Issue 20's bar for an alert run on a national store: CPU per alert, everything the run reads included.
ALERT_TARGET_MS = 20.0


def alert_run(db_file: Path) -> Result:
    """One send-alerts evaluation (facts, rules, outbox, alternatives; nothing sent) on a copy of a demo store.

    ``db_file`` is the SQLite store of a ``supplyradar demo --scale N`` run (``bench/scale.py`` passes its own).
    The copy's outbox is emptied first, so every alert the demo made is made again. scikit-learn is imported
    before the clock starts, as in a flow worker that has scored (its import is a fixed cost of the process,
    not of the alerts). The alternatives ranker is learned after scoring, not in the alert run: when the store
    keeps none that fits (a store filled by an older version), it is learned first, as the score-suppliers
    flow does, in a process of its own, and that CPU is reported apart.

    What the figures count. "cpu ms per alert" (the target) is the CPU of the whole run divided by its alerts.
    The run splits into what it does once ("fixed": the rules' reads, among them the markets of the expiring
    contracts; then the stored ranker and our buyer's profile) and what its alerts add ("alerts": recording
    each, and suggesting alternatives for those that ask, from the history of each CPV division they need).
    The score-suppliers flow keeps those markets and divisions for the day's runs (``pipelines.
    prepared_alert_facts``): "kept facts used" says which the run took; what it had to read itself (a store
    changed since) shows as "divisions read". When the store keeps none that fit (an older version's store),
    they are kept first in a process of their own, as the flow does, and that CPU is reported apart.

    Before they were kept, on a ``demo --scale 54`` store (105,840 notices, 7 alerts): 458-841 CPU-ms per alert,
    the markets 0.9-2.4 s and the divisions 2.1-4.3 s of it. Run it in a process of its own (``python -m
    bench.alerts STORE``) for the peak RSS to be the run's.
    """
    import sklearn.linear_model  # noqa: F401  (see above)
    from sqlalchemy import delete, func, select

    from config.settings import Settings
    from demo.settings import DEMO_ROUTING, DEMO_TODAY
    from pipelines.send_alerts import load_config, run_send_alerts
    from store.db import Store
    from store.schema.alerts import AlertAudit, AlertDelivery, AlertFeedback, AlertOccurrence, AlertRow

    with tempfile.TemporaryDirectory(prefix="supplyradar-bench-alerts-") as folder:
        copy = Path(folder, "supplyradar.db")
        shutil.copyfile(db_file, copy)
        settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{copy.as_posix()}", _env_file=None)
        settings = settings.model_copy(update={"alerts": settings.alerts.model_copy(update={"routing_file": Path(DEMO_ROUTING)})})
        with Store(settings.resolved_database_url) as store:
            with store.session() as session, session.begin():
                for table in (AlertAudit, AlertFeedback, AlertDelivery, AlertOccurrence, AlertRow):
                    session.execute(delete(table))
            config = load_config(settings)
            learned: float | str = "stored by the demo's scoring flow"
            if not _has_ranker(store, settings, as_of=DEMO_TODAY):  # a store filled by an older version
                learned = _in_child("--learn-ranker", copy)
            kept: float | str = "kept by the demo's scoring flow"
            if not _has_kept_facts(store, settings, as_of=DEMO_TODAY):  # an older version's store
                kept = _in_child("--prepare", copy)
            setup = _process_setup()
            started = time.process_time()
            summary = run_send_alerts(store, settings, as_of=DEMO_TODAY, now=datetime(2026, 12, 2, 12, tzinfo=UTC),
                                      config=config, sources=False, send=False)
            cpu = time.process_time() - started
            with store.session() as session:
                alerts = session.scalar(select(func.count()).select_from(AlertRow)) or 0
    per_alert = cpu * 1000 / alerts if alerts else float("inf")
    fixed = summary.cpu["facts"] + summary.cpu["alternatives prepared"]
    return {
        "name": "alert run",
        "target": f"CPU per alert <= {ALERT_TARGET_MS:.0f} ms, the run's reads included",
        "passed": per_alert <= ALERT_TARGET_MS,
        "alerts": alerts,
        "cpu ms per alert": round(per_alert, 1),
        "cpu s: run": round(cpu, 3),
        "cpu s: fixed (rules' reads with the markets; stored ranker)": round(fixed, 3),
        "cpu s: facts (rules' reads, markets)": round(summary.cpu["facts"], 3),
        "cpu s: alerts (recorded, alternatives with their divisions' reads)": round(summary.cpu["per alert"], 3),
        "cpu s: divisions read (of the alerts' part)": round(summary.cpu["divisions read"], 3),
        "cpu ms: the alerts' part per alert": round(summary.cpu["per alert"] * 1000 / alerts, 1) if alerts else None,
        "cpu s: ranker learned (score-suppliers flow, not the alert run)": learned,
        "cpu s: facts kept ahead (score-suppliers flow, not the alert run)": kept,
        "kept facts used": dict(summary.prepared),
        "cpu s: process setup before the run (imports, ORM mappers; not counted)": round(setup, 3),
        "peak rss MiB": round(peak_rss_mib(), 1),
    }


def _in_child(flag: str, db_file: Path) -> float:
    """``python -m bench.alerts FLAG STORE`` (learn the ranker, keep the facts) in a process of its own; its CPU-s."""
    done = subprocess.run([sys.executable, "-m", "bench.alerts", flag, str(db_file)], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parent.parent)
    return round(float(done.stdout.strip().splitlines()[-1]), 3)


def _process_setup() -> float:
    """What any flow worker's process pays once before its first query, whatever it runs: the modules the run
    imports on first use and SQLAlchemy's configuration of the ORM mappers. CPU seconds."""
    started = time.process_time()
    from sqlalchemy.orm import configure_mappers

    import models.market  # noqa: F401
    import pipelines.alternatives  # noqa: F401
    import reference.cpv  # noqa: F401

    configure_mappers()
    return time.process_time() - started


def _has_kept_facts(store, settings, *, as_of: date) -> bool:  # store.db.Store, config.settings.Settings
    """Whether the store keeps the facts the score-suppliers flow works out for the alert runs, still true."""
    from pipelines.prepared_alert_facts import PreparedReads, divisions_of
    from store.market_summaries import our_category_codes

    with store.session() as session:
        divisions = divisions_of(our_category_codes(session), settings)
        return not divisions or PreparedReads(session, settings, as_of).division(divisions[0]) is not None


def keep_facts_on(db_file: Path) -> float:
    """Keep the alert runs' facts in ``db_file`` as the score-suppliers flow does (demo routing); its CPU seconds."""
    from config.settings import Settings
    from demo.settings import DEMO_ROUTING, DEMO_TODAY
    from pipelines.prepared_alert_facts import prepare_alert_facts
    from store.db import Store

    settings = Settings(data_dir=db_file.parent, database_url=f"sqlite:///{db_file.as_posix()}", _env_file=None)
    with Store(settings.resolved_database_url) as store, store.session() as session, session.begin():
        started = time.process_time()
        prepare_alert_facts(session, settings, as_of=DEMO_TODAY, routing_file=Path(DEMO_ROUTING))
        return time.process_time() - started


def _has_ranker(store, settings, *, as_of: date) -> bool:  # store.db.Store, config.settings.Settings
    from pipelines.alternatives import stored_ranker

    with store.session() as session:
        return stored_ranker(session, settings, as_of=as_of).kind == "learned"


def learn_ranker_on(db_file: Path) -> float:
    """Learn and keep the alternatives ranker in ``db_file`` as the score-suppliers flow does; its CPU seconds."""
    from config.settings import Settings
    from demo.settings import DEMO_TODAY
    from pipelines.alternatives import learn_ranker
    from store.db import Store

    settings = Settings(data_dir=db_file.parent, database_url=f"sqlite:///{db_file.as_posix()}", _env_file=None)
    with Store(settings.resolved_database_url) as store, store.session() as session, session.begin():
        started = time.process_time()
        learn_ranker(session, settings, as_of=DEMO_TODAY)
        return time.process_time() - started


def alert_run_in_child(db_file: Path) -> Result:
    """``alert_run`` in a process of its own, so that its peak RSS is the alert run's alone."""
    done = subprocess.run([sys.executable, "-m", "bench.alerts", str(db_file), "--json"], capture_output=True,
                          text=True, check=False, cwd=Path(__file__).resolve().parent.parent)
    # exit 1 with a result line is a missed target, reported like a met one; anything else is a failure
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout, done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


#: Alert runs per measurement, each in a fresh process on a fresh copy of the store (cold, as a flow worker's run).
ALERT_RUNS = 3


def fastest_alert_run(db_file: Path, runs: int = ALERT_RUNS) -> Result:
    """The fastest of ``runs`` alert runs (``alert_run_in_child``), with the slowest one's CPU per alert beside it.

    Every run does the same work from the same cold start, so what differs between them is the machine: on a
    shared virtual machine the same run of a scale-54 store took 12.2-13.5 CPU-ms per alert alone and 19.1-20.2
    right after the demo chain, the fastest of five tries of a fixed Python loop swinging by a tenth and single
    tries by two thirds (``bench.machine``). The fastest run is the run's cost with the least of that in it, as
    ``bench.news`` and ``bench.notice_parsing`` keep theirs; a run is never warmed by an earlier one.
    """
    results = [alert_run_in_child(db_file) for _ in range(runs)]
    fastest = min(results, key=lambda result: result["cpu ms per alert"])
    slowest = max(result["cpu ms per alert"] for result in results)
    position = list(fastest).index("cpu ms per alert") + 1
    items = list(fastest.items())
    return dict(items[:position] + [(f"cpu ms per alert, slowest of {runs} runs", slowest)] + items[position:])


def main(argv: list[str]) -> int:
    """``python -m bench.alerts STORE.db [--json]``: the alert run on a demo store (e.g. of ``demo --scale N``)."""
    if argv[:1] == ["--learn-ranker"] and len(argv) == 2:
        print(learn_ranker_on(Path(argv[1])))
        return 0
    if argv[:1] == ["--prepare"] and len(argv) == 2:
        print(keep_facts_on(Path(argv[1])))
        return 0
    if not argv or not Path(argv[0]).is_file():
        sys.stderr.write("usage: python -m bench.alerts STORE.db [--json]  (a supplyradar demo --scale N store)\n")
        return 2
    if "--json" in argv[1:]:
        result = alert_run(Path(argv[0]))
        print(json.dumps(result, default=str))
        return 0 if result["passed"] else 1
    from bench import run

    return run([lambda: fastest_alert_run(Path(argv[0]))])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
