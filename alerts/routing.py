"""Who gets which alert over which channel: ``config/routing.yaml``, validated at start-up.

Categories (CPV prefixes) map to their category managers; each person or team has named channels
(Apprise URLs, with optional tags and a lowest severity), a digest rhythm for what is not
critical, and ops get source-health and delivery failures on their own. URLs may be written as
``${ENV_VAR}`` so secrets stay out of the file; they are never logged or stored (deliveries name
the person and the channel only). Every channel is added to Apprise under its own tag
``<person>/<channel>`` and every ``notify`` passes that tag: Apprise sends an untagged
notification to every service, tagged ones included.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alerts.rules import SEVERITIES, SEVERITY_RANK, read_yaml
from reference.cpv import cpv_prefix

DIGESTS = ("daily", "weekly")
FORMATS = ("markdown", "html", "text")
LANGUAGES = ("en", "nl")

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


class RoutingConfigError(ValueError):
    """The routing file cannot be used; the message names the file, the person or category, the field."""


@dataclass(frozen=True, slots=True)
class Channel:
    name: str
    url: str  # secret: never logged, never stored
    tags: tuple[str, ...] = ()
    min_severity: str = "info"
    format: str = "markdown"

    def __repr__(self) -> str:  # the URL holds secrets
        return f"Channel(name={self.name!r}, tags={self.tags!r}, min_severity={self.min_severity!r})"

    def takes(self, severity: str) -> bool:
        return SEVERITY_RANK[severity] >= SEVERITY_RANK[self.min_severity]


@dataclass(frozen=True, slots=True)
class Person:
    """A person or a team that receives alerts."""

    key: str
    name: str
    channels: tuple[Channel, ...]
    digest: str = "daily"
    language: str | None = None  # None: settings.language


@dataclass(frozen=True, slots=True)
class Category:
    prefix: str  # as matched: "9091" for "90910000" (the whole branch)
    code: str  # as written in the file
    label: str
    managers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Routing:
    people: dict[str, Person]
    categories: dict[str, Category]
    ops: tuple[str, ...]
    fallback: tuple[str, ...] = ()
    path: Path | None = None

    def category_of(self, cpv: str) -> str | None:
        """The routing category (the longest prefix) a CPV code belongs to, if any."""
        matches = [p for p in self.categories if cpv.startswith(p)]
        return max(matches, key=len) if matches else None

    def categories_of(self, cpvs: Iterable[str]) -> list[str]:
        return sorted({c for code in cpvs if (c := self.category_of(code))})

    def recipients(self, categories: Iterable[str], *, ops: bool = False) -> list[Person]:
        """The people an alert goes to: ops for ops alerts, else the categories' managers (or the fallback)."""
        if ops:
            keys = list(self.ops)
        else:
            keys = [m for c in categories if c in self.categories for m in self.categories[c].managers]
            if not keys:
                keys = list(self.fallback)
        seen: dict[str, Person] = {}
        for key in keys:
            seen.setdefault(key, self.people[key])
        return list(seen.values())

    def deliveries(self, severity: str, categories: Iterable[str], *, ops: bool = False) -> list[tuple[str, str, str]]:
        """(person, channel, mode) for an alert: critical at once, the rest in each person's digest.

        The one delivery plan: the send flow, the end of a snooze and the workspace all use it.
        """
        out = []
        for person in self.recipients(categories, ops=ops):
            mode = "immediate" if severity == "critical" else person.digest
            out += [(person.key, channel.name, mode) for channel in person.channels if channel.takes(severity)]
        return out

    @staticmethod
    def tag(person: str, channel: str) -> str:
        return f"{person}/{channel}"


def language_for(person: str, *, account: str | None, routing: dict[str, str], default: str) -> str:
    """One language per person: their account's choice, else their routing entry's, else the server's."""
    for language in (account, routing.get(person), default):
        if language in LANGUAGES:
            return language
    return "en"


def load_routing(path: Path, *, environ: dict[str, str] | None = None) -> Routing:
    raw = read_yaml(path, "the routing", RoutingConfigError)
    return parse_routing(raw, where=str(path), environ=os.environ if environ is None else environ, path=path)


def parse_routing(raw: Any, *, where: str, environ: dict[str, str] | os._Environ, path: Path | None = None) -> Routing:
    from alerts.file_outbox import register_file_scheme

    register_file_scheme()
    if not isinstance(raw, dict):
        raise RoutingConfigError(f"{where}: expected a mapping with 'people', 'categories' and 'ops'")
    _only(raw, {"people", "categories", "ops", "fallback"}, where)
    people_raw = raw.get("people")
    if not isinstance(people_raw, dict) or not people_raw:
        raise RoutingConfigError(f"{where}: 'people' must map each person or team to their channels")
    people = {str(key): _person(str(key), value, where, environ) for key, value in people_raw.items()}
    categories_raw = raw.get("categories") or {}
    if not isinstance(categories_raw, dict):
        raise RoutingConfigError(f"{where}: 'categories' must map CPV prefixes to their managers")
    categories: dict[str, Category] = {}
    for key, spec in categories_raw.items():
        category = _category(str(key), spec, where, people)
        if category.prefix in categories:
            raise RoutingConfigError(f"{where}: category {key!r}: the same category as {categories[category.prefix].code!r}")
        categories[category.prefix] = category
    ops = _person_list(raw.get("ops"), "ops", where, people)
    if not ops:
        raise RoutingConfigError(f"{where}: ops: name at least one person or team for source-health and delivery alerts")
    fallback = _person_list(raw.get("fallback"), "fallback", where, people)
    return Routing(people=people, categories=categories, ops=ops, fallback=fallback, path=path)


def _only(mapping: dict, allowed: set[str], where: str) -> None:
    """A misspelt key is an error, not a silently ignored setting."""
    extra = set(mapping) - allowed
    if extra:
        raise RoutingConfigError(f"{where}: unknown field(s) {', '.join(sorted(map(str, extra)))}")


def _person(key: str, value: Any, where: str, environ: Any) -> Person:
    if not _NAME.match(key):
        raise RoutingConfigError(f"{where}: person {key!r}: names are lowercase letters, digits, '.', '_' and '-'")
    here = f"{where}: person {key!r}"
    if not isinstance(value, dict):
        raise RoutingConfigError(f"{here}: expected a mapping with 'channels'")
    _only(value, {"name", "channels", "digest", "language"}, here)
    channels_raw = value.get("channels")
    if not isinstance(channels_raw, dict) or not channels_raw:
        raise RoutingConfigError(f"{here}: has no channels; give at least one Apprise URL under 'channels'")
    digest = value.get("digest", "daily")
    if digest not in DIGESTS:
        raise RoutingConfigError(f"{here}: digest must be one of {', '.join(DIGESTS)}, got {digest!r}")
    language = value.get("language")
    if language is not None and language not in LANGUAGES:
        raise RoutingConfigError(f"{here}: language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    channels = tuple(_channel(str(name), spec, here, environ) for name, spec in channels_raw.items())
    return Person(key=key, name=str(value.get("name", key)), channels=channels, digest=digest, language=language)


def _channel(name: str, spec: Any, where: str, environ: Any) -> Channel:
    here = f"{where}: channel {name!r}"
    if not _NAME.match(name):
        raise RoutingConfigError(f"{here}: names are lowercase letters, digits, '.', '_' and '-'")
    if isinstance(spec, str):
        spec = {"url": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
        raise RoutingConfigError(f"{here}: expected an Apprise URL or a mapping with 'url'")
    _only(spec, {"url", "tags", "min_severity", "format"}, here)
    url = _expand(spec["url"], here, environ)
    _check_url(url, here)
    tags = spec.get("tags", [])
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise RoutingConfigError(f"{here}: tags must be a list of strings")
    severity = spec.get("min_severity", "info")
    if severity not in SEVERITIES:
        raise RoutingConfigError(f"{here}: min_severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
    fmt = spec.get("format", "markdown")
    if fmt not in FORMATS:
        raise RoutingConfigError(f"{here}: format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return Channel(name=name, url=url, tags=tuple(tags), min_severity=severity, format=fmt)


def _expand(url: str, where: str, environ: Any) -> str:
    """``${VAR}`` from the environment; a missing variable is named, its would-be value never shown."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ or not environ[name]:
            raise RoutingConfigError(f"{where}: environment variable {name} is not set")
        return environ[name]

    return _ENV.sub(value, url)


@contextmanager
def _quiet_apprise() -> Iterator[None]:
    """Apprise logs unparseable URLs in full; those hold secrets, so it stays quiet while we check."""
    logger = logging.getLogger("apprise")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _check_url(url: str, where: str) -> None:
    import apprise
    from apprise.manager_plugins import NotificationManager

    match = _SCHEME.match(url)
    if not match:
        raise RoutingConfigError(f"{where}: not an Apprise URL (expected scheme://...)")
    scheme = match.group(1).lower()
    if scheme not in NotificationManager().schemas():
        raise RoutingConfigError(f"{where}: unknown Apprise URL scheme {scheme!r}")
    with _quiet_apprise():
        ok = apprise.Apprise.instantiate(url) is not None
    if not ok:
        raise RoutingConfigError(f"{where}: Apprise cannot use this {scheme}:// URL (check its parts; the URL is not shown)")


def _category(prefix: str, value: Any, where: str, people: dict[str, Person]) -> Category:
    from reference.cpv import UnknownCpvCodeError, prefix_label

    here = f"{where}: category {prefix!r}"
    if not re.fullmatch(r"\d{1,8}", prefix):
        raise RoutingConfigError(f"{here}: a category is a CPV prefix of 1 to 8 digits (quote it in YAML)")
    try:
        label = prefix_label(prefix)
    except UnknownCpvCodeError:
        raise RoutingConfigError(f"{here}: not a CPV 2008 code or prefix") from None
    if isinstance(value, list | str):
        value = {"managers": value}
    if not isinstance(value, dict):
        raise RoutingConfigError(f"{here}: expected a mapping with 'managers'")
    managers = _person_list(value.get("managers"), "managers", here, people)
    if not managers:
        raise RoutingConfigError(f"{here}: has no manager; name at least one person under 'managers'")
    return Category(prefix=cpv_prefix(prefix), code=prefix, label=str(value.get("label") or label), managers=managers)


def _person_list(value: Any, name: str, where: str, people: dict[str, Person]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise RoutingConfigError(f"{where}: {name} must be a list of people")
    for key in value:
        if key not in people:
            raise RoutingConfigError(f"{where}: {name}: unknown person {key!r} (people: {', '.join(sorted(people))})")
    return tuple(value)


def build_apprise(routing: Routing, people: Iterable[str] | None = None):  # apprise.Apprise
    """One Apprise object with every channel under its own ``<person>/<channel>`` tag (plus its own tags)."""
    import apprise

    from alerts.file_outbox import SCHEME as FILE_SCHEME
    from alerts.file_outbox import register_file_scheme

    register_file_scheme()
    wanted = set(people) if people is not None else set(routing.people)
    obj = apprise.Apprise()
    with _quiet_apprise():
        for person in routing.people.values():
            if person.key not in wanted:
                continue
            for channel in person.channels:
                tags = [Routing.tag(person.key, channel.name), *channel.tags]
                if channel.url.lower().startswith(f"{FILE_SCHEME}://"):
                    # A file outbox keeps the channel's format: Apprise would convert every body
                    # to a custom plugin's default format (text), turning HTML into plain text.
                    plugin = apprise.Apprise.instantiate(channel.url, tag=tags)
                    plugin.notify_format = apprise.NotifyFormat(channel.format)
                    obj.add(plugin)
                else:
                    obj.add(channel.url, tag=tags)
    return obj

