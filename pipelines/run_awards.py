"""The award facts an alert run reads, by CPV division: each award read at most once per run.

The markets of the run's expiring contracts and the alternatives of its alerts ask about the same
few divisions (a contract's category and its alternatives' parent branch), over windows of their own
(three years for a market, five for the alternatives by default): a division is read for the window
first asked, and only the years still missing when a longer one is asked. No read touches a
division that no alert asks about, nor awards older than the longest window.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from models.market import AwardFact
from store.queries import award_facts


class RunAwards:
    """The counted CPV awards under each division asked about, published from the earliest day asked up to ``as_of``."""

    def __init__(self, session: Session, *, as_of: date, known: tuple[date, list[AwardFact]] | None = None) -> None:
        """``known``: (since, facts) with every counted CPV award published from ``since`` up to ``as_of`` as
        ``award_facts`` (all schemes, no prefix) read them, so that a division's facts from ``since`` are taken from
        them, not read again (the score-suppliers flow's learning read them: ``pipelines.alternatives.WholeHistory``)."""
        self._session, self.as_of = session, as_of
        self._read: dict[str, tuple[date, list[AwardFact]]] = {}  # division -> (read from, facts in read order)
        if known is not None:
            since, facts = known
            for fact in facts:  # each division's facts, in the order read
                self._read.setdefault((fact.cpv_main or "")[:2], (since, []))[1].append(fact)
            self._known_since: date | None = since
        else:
            self._known_since = None

    def under(self, prefix: str, *, since: date) -> list[AwardFact]:
        """What ``award_facts(session, prefix, until=as_of, since=since)`` returns, in its order.

        A contract's rows are one notice's (``store.contract_facts``), so taking the prefix and the days out
        of its division's read keeps or drops whole facts, as the read of the prefix itself would; and the
        facts are in date order, so the years read later go in front of those read first."""
        if len(prefix) < 2 or not prefix[:2].isdigit():
            return award_facts(self._session, prefix, until=self.as_of, since=since)
        division = prefix[:2]
        start, facts = self._read.get(division, (self._known_since or self.as_of + timedelta(days=1), []))
        if since < start:
            earlier = award_facts(self._session, division, until=start - timedelta(days=1), since=since)
            start, facts = self._read[division] = (since, earlier + facts)
        return [f for f in facts if f.published >= since and (f.cpv_main or "").startswith(prefix)]
