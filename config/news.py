"""Settings of the news, GDELT and sanctions connectors (one section of Settings; see config/settings.py for precedence).

The list of feeds is editable YAML (``config/feeds.yaml``, or ``feeds_file``), read and validated by
``connectors.feeds.load_feeds``; everything else is here.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

CONFIG_DIR = Path(__file__).resolve().parent


class GdeltSettings(BaseModel):
    """GDELT DOC 2.0: free, no key, one request every 5 seconds, a rolling window of about 3 months."""

    url: str = "https://api.gdeltproject.org/api/v2/doc/doc"
    #: GDELT asks for at most one request every 5 seconds; it answers faster callers with a text message.
    min_interval_seconds: float = 5.5
    #: How far back each article search looks (GDELT syntax: 15min, 24h, 7d, 2w, 3m).
    timespan: str = "7d"
    maxrecords: int = Field(250, ge=1, le=250)
    #: Longest query sent (GDELT refuses long queries); supplier names are batched into OR-groups below it.
    max_query_chars: int = Field(240, ge=40)
    #: Extra searches beyond supplier names: country and material terms (GDELT query syntax).
    topic_queries: list[str] = Field(
        default_factory=lambda: [
            '("export controls" OR "export ban" OR "exportbeperking") (chips OR semiconductors OR gallium OR germanium)',
            '("rare earths" OR "zeldzame aardmetalen") (China OR shortage OR tekort)',
        ]
    )
    #: Countries whose news tone is followed (``mode=timelinetone``): ISO alpha-2 -> search term.
    tone_countries: dict[str, str] = Field(
        default_factory=lambda: {
            "NL": "Netherlands", "DE": "Germany", "BE": "Belgium", "FR": "France", "GB": "United Kingdom",
            "US": "United States", "CN": "China", "RU": "Russia", "TR": "Turkey", "IN": "India", "TW": "Taiwan",
        }
    )
    tone_timespan: str = "3m"


class SanctionsSettings(BaseModel):
    """The EU consolidated financial sanctions list (FSF), XML 1.1, public download link."""

    url: str = "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"
    #: Lowest explained-match score (0..100) that becomes a ``sanctions.possible_match`` for review.
    min_score: float = Field(88.0, ge=50, le=100)


class NewsSettings(BaseModel):
    """RSS/Atom feeds, GDELT and the EU sanctions list."""

    #: The feeds to follow; see config/feeds.yaml for the fields.
    feeds_file: Path = CONFIG_DIR / "feeds.yaml"
    #: A link below this confidence is kept with the article but makes no supplier event.
    min_link_confidence: float = Field(0.5, ge=0, le=1)
    #: A headline becomes an event only if its class is not "other" and has at least this probability. The
    #: default is the threshold chosen on the classifier's validation set (best F0.5, see
    #: models/data/news_classifier_card.md); tests/test_event_classifier.py keeps the two equal.
    min_event_probability: float = Field(0.3, ge=0, le=1)
    #: A supplier event also needs link confidence x class probability at least this.
    min_event_confidence: float = Field(0.3, ge=0, le=1)
    #: Two titles at least this similar (0..100), published within ``duplicate_days``, are one story.
    duplicate_title_score: float = Field(93.0, ge=50, le=100)
    duplicate_days: int = Field(3, ge=0)
    gdelt: GdeltSettings = Field(default_factory=GdeltSettings)
    sanctions: SanctionsSettings = Field(default_factory=SanctionsSettings)
