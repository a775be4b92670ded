"""Data Center accounts: user keys and login names derived from the model's account ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ..model import Site


def user_key(account_id: str) -> str:
    """A Data Center style user key (32 hex digits), stable for an account."""
    return hashlib.sha256(account_id.encode()).hexdigest()[:32]


def usernames(site: Site) -> dict[str, str]:
    """account id -> a unique login name made of the display name (e.g. ada.okafor)."""
    taken: set[str] = set()
    names: dict[str, str] = {}
    for user in site.users.values():
        plain = unicodedata.normalize("NFKD", user.display_name).encode("ascii", "ignore").decode()
        base = re.sub(r"[^a-z0-9]+", ".", plain.lower()).strip(".") or "user"
        name, n = base, 2
        while name in taken:
            name, n = f"{base}{n}", n + 1
        taken.add(name)
        names[user.account_id] = name
    return names

