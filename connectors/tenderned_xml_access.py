"""Whether a TenderNed run still asks for notices' public XML, after TenderNed refused it for want of an account.

TenderNed hands the public XML to registered users (HTTP Basic, an account from functioneelbeheer@tenderned.nl).
Without an account, or with a wrong one, every XML request is answered 401, and each costs one of the requests a
second TenderNed allows over all workers: a run without an account sent two requests per notice (the refused XML,
then the detail JSON) where one gives all it can get. So after ``REFUSALS_IN_A_ROW`` answers 401 in a row (one
could be about one notice; three in a row are about the account), the rest of the run asks for none. Its notices
come from the detail JSON without lots and awards, each with the warning that says why, and one log line names the
settings to fix. Nothing is assumed before TenderNed has answered: a run whose XML requests are answered asks on.
"""

from __future__ import annotations

import logging

from config.settings import TenderNedSettings
from connectors.errors import SourceRequestError

log = logging.getLogger("supplyradar.connectors.tenderned")

#: Answers 401 to XML requests in a row after which a run stops asking for the XML.
REFUSALS_IN_A_ROW = 3
#: The status TenderNed refuses the XML with when the request's account is missing or wrong.
UNAUTHORISED = 401


class XmlAccess:
    """One run's XML requests (state: the 401s in a row, and whether the run has stopped asking)."""

    def __init__(self) -> None:
        self.refusals = 0
        self.given_up = False

    @property
    def asking(self) -> bool:
        """Whether the next notice's XML is asked for."""
        return not self.given_up

    def answered(self) -> None:
        """An XML request got an answer other than 401 (the XML, a 404...): the account works."""
        self.refusals = 0

    def refused(self, error: SourceRequestError, settings: TenderNedSettings) -> None:
        """An XML request was refused with ``error``; a 401 counts towards giving up, with one log line when it does."""
        if error.status != UNAUTHORISED:
            self.refusals = 0
            return
        self.refusals += 1
        if self.refusals >= REFUSALS_IN_A_ROW and not self.given_up:
            self.given_up = True
            fix = ("check tenderned.username and tenderned.password" if settings.username
                   else "set tenderned.username and tenderned.password (an account from functioneelbeheer@tenderned.nl)")
            log.warning("tenderned: the public XML was refused (HTTP 401) %d times in a row: not asked again in this "
                        "run, whose notices come without lots and awards; %s", self.refusals, fix)

    def why_not_asked(self) -> str:
        """The reason a notice's XML was not asked for, for its warning."""
        return f"public XML not asked: TenderNed refused it (HTTP 401) {REFUSALS_IN_A_ROW} times in a row in this run"
