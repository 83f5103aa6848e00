"""Who is acting and when: passed into every use case that writes."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime

from muster.ledger.entries import Recorded
from muster.timestamps import timestamp


@dataclass(frozen=True, slots=True)
class Actor:
    """The operating-system user (and, through the API, the account) behind a write."""

    os_user: str
    account: str | None = None

    @classmethod
    def current(cls) -> Actor:
        """The user running this process."""
        try:
            return cls(getpass.getuser())
        except (KeyError, OSError):
            return cls("unknown")

    def recorded(self, now: datetime | None = None) -> Recorded:
        return Recorded(timestamp(now), self.os_user, self.account)
