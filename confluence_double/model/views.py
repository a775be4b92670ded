"""Page views: who viewed a page or blog post when, as Confluence Cloud's analytics count them.

A generated site holds no view events: each page's and blog post's are derived on demand from the
site's seed and the content's number (up to ``SiteSpec.views_per_content``, skewed, at times between
its creation and the generation's end, by the site's users), so a large site costs no memory;
``view_content`` adds events that move the counts. Data Center has no analytics API.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .clock import normalize_at, to_ms

_GENERATED_UNTIL = to_ms(datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC))
"""The generator's last instant: generated views happen before it."""


def _mix(*values: int) -> int:
    h = 0x811C9DC5
    for value in values:
        h = ((h ^ (value & 0xFFFFFFFF)) * 0x01000193) & 0xFFFFFFFF
        h ^= h >> 13
    return h


class ViewMutations:
    """A mixin of ``Site``: ``view_events``, ``spec``, ``users``, ``lock`` and ``container`` come from it."""

    def _generated_views(self, content_id: str) -> list[tuple[int, str]]:
        container = self.container(content_id)
        most = max(self.spec.views_per_content, 0)
        if most == 0 or not self.users:
            return []
        users = sorted(self.users)
        seed = self.spec.seed
        count = _mix(seed, container.num) % (most + 1)
        start = to_ms(container.created_at)
        span = max(_GENERATED_UNTIL - start, 1)
        out = []
        for k in range(count):
            h = _mix(seed, container.num, k)
            # Readers are skewed: a few people read most pages.
            reader = users[min(int(len(users) * ((h % 1000) / 1000) ** 2), len(users) - 1)]
            out.append((start + (h * 7919) % span, reader))
        return out

    def view_counts(self, content_id: str, since: datetime | None) -> tuple[int, int]:
        """(views, distinct viewers) of a page or blog post since ``since`` (all time when None)."""
        floor = to_ms(since) if since is not None else None
        events = self._generated_views(content_id) + [
            (to_ms(at), account) for at, account in self.view_events.get(content_id, ())]
        kept = [(at, account) for at, account in events if floor is None or at >= floor]
        return len(kept), len({account for _, account in kept})

    def view_content(self, content_id: str, account_id: str | None = None, at: datetime | None = None,
                     times: int = 1) -> None:
        """Someone reads the page: views (and viewers, for a new reader) go up; no version is made."""
        at = normalize_at(at)
        with self.lock:
            self.container(content_id)
            reader = self._actor(account_id)
            self.view_events.setdefault(content_id, []).extend((at, reader) for _ in range(times))
            self._changed()


def parse_from_date(value: str) -> datetime | None:
    """Confluence's ``fromDate``: an ISO 8601 date-time (a bare date is midnight UTC); None when invalid."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return normalize_at(parsed)
