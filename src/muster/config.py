"""Muster's one settings object, read from `MUSTER_*` environment variables."""

from __future__ import annotations

import ipaddress
import logging
from datetime import date
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from muster.domain.errors import InvalidInputError
from muster.environment import today
from muster.store.dialects import DEFAULT_URL
from muster.timezones import DEFAULT_ZONE, today_in, zone_named

__all__ = ["Settings", "log_to_stderr", "today"]  # today: muster.environment's, as before


class Settings(BaseSettings):
    """Where the registry lives and the passphrases that unlock its keys."""

    model_config = SettingsConfigDict(env_prefix="MUSTER_", extra="ignore")

    database_url: str = DEFAULT_URL
    registry_passphrase: SecretStr | None = None
    key_passphrase: SecretStr | None = None
    origin: str | None = None  # the ledger's name in its checkpoints; chosen at init
    screening_date: date | None = None  # screen as on this date (a registry set in the past)
    index_path: Path | None = None  # the server's saved match index (`muster serve --index`)
    # The Unix socket of the crossing writer process `muster serve` starts for its processes.
    crossing_socket: Path | None = None
    # Set by `muster serve --workers N`: the index file is ready, load it before serving.
    index_prepared: bool = False
    # The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses
    # or networks, separated by commas ("10.0.0.5, 192.168.1.0/24"). Every other request comes
    # from the address it connected from, over the scheme it connected with.
    trusted_proxies: str = ""
    # The largest request body the API reads, in bytes (413 past it): every route but those
    # with a limit of their own, and drafting an order, whose body names its subjects.
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    max_order_body_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    # The largest file a page takes (a roll file uploaded to be checked; 413 past it).
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, gt=0)
    # Where the roll files uploaded through the pages are checked, and their checks' state
    # kept: a folder every process of the server sees (default: one in the system's tmp).
    import_dir: Path | None = None
    # The registry's time zone, an IANA name: the pages show moments in it and cut the days
    # of crossings at its midnights. Moments are stored in UTC whatever it is.
    timezone: str = DEFAULT_ZONE


def registry_zone(settings: Settings) -> ZoneInfo:
    """`MUSTER_TIMEZONE` as a time zone, or an error naming the setting."""
    return zone_named(settings.timezone)


def local_today(settings: Settings) -> date:
    """The day the pages list crossings of unless asked for another: `MUSTER_SCREENING_DATE`
    when set (a registry set in the past), otherwise the day it is in the registry's zone."""
    if settings.screening_date is not None:
        return settings.screening_date
    return today_in(registry_zone(settings))


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(settings: Settings) -> tuple[Network, ...]:
    """`MUSTER_TRUSTED_PROXIES` read as networks (an address is a network of one)."""
    return _networks(settings.trusted_proxies)


@lru_cache(maxsize=16)
def _networks(text: str) -> tuple[Network, ...]:
    found = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise InvalidInputError(
                f"MUSTER_TRUSTED_PROXIES: {part!r} is not an address or a network: expected "
                "addresses or networks separated by commas, e.g. 10.0.0.5,192.168.1.0/24"
            ) from None
    return tuple(found)


def log_to_stderr() -> None:
    """The server's own messages (readiness, sealing failures) on stderr, once."""
    muster = logging.getLogger("muster")
    if not muster.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("muster: %(message)s"))
        muster.addHandler(handler)
        muster.setLevel(logging.INFO)
