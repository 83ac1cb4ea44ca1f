"""All of supplyradar's settings in one place.

Precedence, highest first: arguments passed in code, environment variables
(``SUPPLYRADAR_...``, nested with ``__`` as in ``SUPPLYRADAR_TED__COUNTRIES='["NLD","BEL"]'``),
a ``.env`` file, the TOML config file (``SUPPLYRADAR_CONFIG`` or ``config/supplyradar.toml``),
then the defaults below. Secrets are ``SecretStr``: they never print in logs or reprs.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config.alerts import AlertSettings
from config.company_signals import InsolvencySettings, KvkSettings
from config.news import NewsSettings
from config.own_data import OwnDataSettings
from config.risk import RiskSettings
from config.web import WebSettings

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_CONFIG_FILE = CONFIG_DIR / "supplyradar.toml"


class HttpSettings(BaseModel):
    """Shared by every connector: explicit timeouts, bounded retries with backoff."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 5  # first try included
    backoff_base: float = 1.0  # seconds; doubles each attempt, with jitter
    backoff_max: float = 120.0  # cap, also for Retry-After
    #: Whole-request budget (connect, headers and body): a body trickled a byte at a time never
    #: trips the per-read timeout, so each request also has a total deadline.
    request_timeout: float = 300.0
    #: Largest answer body read into memory; a larger one is refused, naming URL and limit.
    max_response_bytes: int = 200_000_000
    user_agent: str = "supplyradar/0.1 (+https://github.com/supplyradar/supplyradar)"


class TedSettings(BaseModel):
    search_url: str = "https://api.ted.europa.eu/v3/notices/search"
    #: Where each notice's XML lives; ``{publication_number}`` is filled in.
    xml_url: str = "https://ted.europa.eu/en/notice/{publication_number}/xml"
    #: Buyer countries (ISO alpha-3, as the TED query language wants them).
    countries: list[str] = Field(default_factory=lambda: ["NLD"])
    #: CPV prefixes to follow ("72", "4521"); empty means all categories.
    cpv_prefixes: list[str] = Field(default_factory=list)
    #: TED notice types to collect: results and their modifications carry the winners; contract
    #: notices count the competitions a market sees (market scans report both).
    notice_types: list[str] = Field(
        default_factory=lambda: [
            "can-standard", "can-social", "can-desg", "can-tran", "veat", "can-modif", "cn-standard", "cn-social",
        ]
    )
    page_size: int = Field(250, ge=1, le=250)
    #: Pages one run reads at most (a guard against a listing that never ends); the watermark resumes.
    max_pages: int = Field(2000, ge=1)
    #: First publication date when no watermark exists yet.
    start_date: str = "2019-01-01"
    #: Pause between requests, to stay well inside TED's fair-use limits.
    min_interval_seconds: float = 0.2
    #: Requests a second we allow ourselves towards TED in total, over every worker: backfill chunks
    #: of TED run at most ``floor(max_requests_per_second * min_interval_seconds)`` at a time (here 2).
    max_requests_per_second: float = Field(10.0, gt=0)


class TenderNedSettings(BaseModel):
    base_url: str = "https://www.tenderned.nl/papi/tenderned-rs-tns/v2"
    username: str | None = None
    password: SecretStr | None = None
    page_size: int = Field(100, ge=1, le=100)
    #: List pages one run reads at most (a guard against a listing that never says "last").
    max_pages: int = Field(5000, ge=1)
    #: Publication types to collect (AGO: award notice, AAO: contract notice, ...).
    publication_types: list[str] = Field(default_factory=lambda: ["AGO"])
    start_date: str = "2019-01-01"
    min_interval_seconds: float = 0.5
    #: Requests a second towards TenderNed in total, over every worker (so one backfill chunk at a time).
    max_requests_per_second: float = Field(2.0, gt=0)


class TenderNedDatasetSettings(BaseModel):
    """TenderNed's yearly open-data files (CC0), with the winners that the TNS API leaves out."""

    #: The page or file to download the newest release from (XLSX or JSON); empty: import local files only.
    url: str = ""
    #: Rows per transaction when importing (memory stays flat whatever the file size).
    batch_size: int = Field(1000, ge=1)


class ScheduleSettings(BaseModel):
    """Cron schedules of the deployments, in ``timezone``: collection first, then scoring, then alerts."""

    timezone: str = "Europe/Amsterdam"
    collect_tenders: str = "30 6 * * *"
    tenderned_dataset: str = "0 5 * * 1"
    #: KvK refresh of the watch list and the insolvency register since its watermark.
    collect_company_signals: str = "15 6 * * *"
    #: Identity resolution of new notice organisations, spend and contract rows.
    resolve_suppliers: str = "0 7 * * *"
    #: Feeds and GDELT: GDELT's 7-day ``timespan`` overlaps generously; what is seen twice is stored once.
    collect_news: str = "*/30 * * * *"
    #: The EU list changes a few times a week; an unchanged list costs a 304.
    screen_sanctions: str = "0 5 * * *"
    score_suppliers: str = "45 7 * * *"
    #: After scoring: critical alerts at once, the rest wait for the digests.
    send_alerts: str = "15 8 * * *"
    send_digest_daily: str = "30 8 * * 1-5"
    send_digest_weekly: str = "0 8 * * 1"
    #: Ops alerts for sources that are late or failing.
    check_sources: str = "15 * * * *"
    #: Monthly: retrain the failure model on the newest history (used only if it beats the baseline).
    train_models: str = "0 4 1 * *"
    market_scans: str = "0 7 * * 1"
    #: after the tenders: the category pages' market statistics (pipelines.market_summaries)
    market_summaries: str = "45 6 * * *"
    #: CPV prefixes the weekly market scans cover.
    market_scan_categories: list[str] = Field(default_factory=lambda: ["72", "48"])
    #: Start of the market scans' window, in years back from today.
    market_scan_years: int = 5


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SUPPLYRADAR_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    #: Where the database, reports and caches live; relative paths are taken from the working directory.
    data_dir: Path = Path("data")
    #: SQLAlchemy URL; default ``sqlite:///<data_dir>/supplyradar.db``.
    database_url: str | None = None
    #: Where reports go; default ``<data_dir>/reports``.
    output_dir: Path | None = None
    #: Label language of CPV codes in reports: "en" or "nl".
    language: str = "en"

    http: HttpSettings = Field(default_factory=HttpSettings)
    ted: TedSettings = Field(default_factory=TedSettings)
    tenderned: TenderNedSettings = Field(default_factory=TenderNedSettings)
    tenderned_dataset: TenderNedDatasetSettings = Field(default_factory=TenderNedDatasetSettings)
    schedules: ScheduleSettings = Field(default_factory=ScheduleSettings)
    kvk: KvkSettings = Field(default_factory=KvkSettings)
    insolvency: InsolvencySettings = Field(default_factory=InsolvencySettings)
    own_data: OwnDataSettings = Field(default_factory=OwnDataSettings)
    news: NewsSettings = Field(default_factory=NewsSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = Path(os.environ.get("SUPPLYRADAR_CONFIG", DEFAULT_CONFIG_FILE))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file if config_file.exists() else None)
        return init_settings, env_settings, dotenv_settings, toml, file_secret_settings

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'supplyradar.db').as_posix()}"

    @property
    def resolved_output_dir(self) -> Path:
        return self.output_dir or self.data_dir / "reports"

    def with_alert_files(self, *, routing: Path | None = None, rules: Path | None = None) -> Settings:
        """A copy whose alert routing and rules files are the ones given (a command's ``--routing``/``--rules``)."""
        updates = {k: v for k, v in (("routing_file", routing), ("rules_file", rules)) if v is not None}
        if not updates:
            return self
        return self.model_copy(update={"alerts": self.alerts.model_copy(update=updates)})
