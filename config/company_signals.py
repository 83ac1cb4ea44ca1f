"""Settings of the company-register and insolvency connectors (one section of Settings; see config/settings.py for precedence).

Secrets are ``SecretStr`` (never in logs or reprs). The KvK defaults point at KvK's public *test*
environment and its published test key, so a trial works out of the box with KvK's fictitious test
companies; for real companies set ``SUPPLYRADAR_KVK__BASE_URL=https://api.kvk.nl/api`` and
``SUPPLYRADAR_KVK__API_KEY=<your key>``. The insolvency register needs an account from the Dutch
judiciary (``SUPPLYRADAR_INSOLVENCY__USERNAME`` / ``SUPPLYRADAR_INSOLVENCY__PASSWORD``).
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

#: KvK's published key for its test environment (https://developers.kvk.nl, "Testomgeving"): not a secret.
KVK_TEST_API_KEY = "l7xx1f2691f2520d487b902f4e0b57a0b197"


class KvkSettings(BaseModel):
    """KvK APIs (Zoeken v2, Basisprofiel v1, Vestigingsprofiel v1)."""

    #: Up to and including ``/api``; the version path (``/v1/basisprofielen``) is added by the connector.
    base_url: str = "https://api.kvk.nl/test/api"
    api_key: SecretStr = SecretStr(KVK_TEST_API_KEY)
    #: Pause between requests: KvK's fair use is a few requests per second per key.
    min_interval_seconds: float = 0.25
    #: A stored profile younger than this is not fetched again (the snapshots are the cache); 0 fetches every time
    #: (a number confirmed "not found" waits ``not_found_recheck_days`` instead; set that to 0 too to ask it every time).
    refresh_after_days: int = Field(6, ge=0)
    #: A number whose stored state is a *confirmed* "not found" (KvK answered IPD0005/IPD5200) is asked again only this
    #: many days after that answer, instead of every ``refresh_after_days``: every KvK query costs fees and rate-limit
    #: budget, and a number KvK confirms it does not know (a typo in a notice, a foreign or closed-long-ago company)
    #: rarely appears within months. A company that *was* found is still asked every ``refresh_after_days``, so its
    #: disappearance is seen as soon as before; 0 asks every time.
    not_found_recheck_days: int = Field(365, ge=0)
    #: A number still unknown when asked again waits longer each time: as long as it has been unknown (its
    #: "not found" state's age at the last answer), at least ``not_found_recheck_days`` and at most this many days.
    #: Asked after 1, 2 and 4 years, then every 4 years: a number KvK has not known for two years is a typo or a
    #: foreign company far more often than a registration yet to come, and each query costs fees. Set it to
    #: ``not_found_recheck_days`` for a fixed wait.
    not_found_recheck_max_days: int = Field(1461, ge=0)
    #: Companies refreshed per transaction (one batch of HTTP calls, then one write). At KvK's pace
    #: (``min_interval_seconds``) 200 are 50 s of answers: what a crash mid-batch loses, asked again next run. Fewer,
    #: larger writes: with 50, a ``demo --scale 8`` history made 545 snapshot transactions and its KvK refresh cost
    #: 4.27-4.32 CPU-s; with 200-250, 3.80-4.13.
    batch_size: int = Field(200, ge=1)
    #: KvK queries a refresh may send in one calendar month, all runs together (retries and branch profiles
    #: count): KvK allows a key 300,000 a month (developers.kvk.nl, FAQ "API's algemeen"), and past that a key
    #: cannot count on answers until the month ends. Set it lower when the key serves other applications too;
    #: 0: no limit. Companies due past the limit keep their last known state and are asked when the limit allows
    #: again (``pipelines.kvk_refresh_plan``).
    monthly_query_limit: int = Field(300_000, ge=0)
    #: "Employees changed sharply": both a relative and an absolute change, so 2 -> 3 people is no event.
    employees_change_ratio: float = Field(0.25, gt=0)
    employees_change_min: int = Field(3, ge=1)


class InsolvencySettings(BaseModel):
    """Centraal Insolventieregister web service (SOAP 1.2)."""

    url: str = "https://webservice.rechtspraak.nl/cir.asmx"
    username: str = ""
    password: SecretStr = SecretStr("")
    #: Where the first run starts (``searchModifiedSince``) when no watermark exists yet.
    start_date: str = "2019-01-01"
    min_interval_seconds: float = 0.5
