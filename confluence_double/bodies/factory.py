"""The body factory: pools of blocks built once per site, bodies composed from them by hash."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate

from .blocks import ADF_HEAD_ESCAPED, ADF_TAIL_ESCAPED, Block, DynamicParts, Mentionable, PageRef
from .makers import BlockMakers

POOL_SIZE = 640
RUN_LENGTH = 1 << 18
COMMENT_BYTES = 220
COMMENT_POOL_SIZE = 256


class BodyFactory(BlockMakers):
    """Builds pools of blocks once per site and composes bodies from them on demand."""

    def __init__(
        self,
        seed: int,
        body_bytes: int,
        people: Sequence[Mentionable],
        pages: Sequence[PageRef],
        jira_projects: Sequence[str],
    ) -> None:
        self.seed = seed
        self.body_bytes = max(1, body_bytes)
        self._people = list(people)
        self._pages = list(pages)
        self._jira = list(jira_projects) or ["PROJ"]
        rng = random.Random(seed * 7919 + 17)
        self._rng = rng
        self._salt = seed * 0x632BE5AB & 0xFFFFFFFF
        makers = (
            (self._heading, 10),
            (self._paragraph_block, 30),
            (self._list_block, 12),
            (self._table_block, 8),
            (self._code_block, 8),
            (self._panel_block, 8),
            (self._image_block, 5),
            (self._macro_block, 5),
            (self._rule_or_quote, 4),
        )
        funcs = [m for m, _ in makers]
        weights = [w for _, w in makers]
        self.pool: list[Block] = [rng.choices(funcs, weights)[0]() for _ in range(POOL_SIZE)]
        self.comment_pool: list[Block] = [self._comment_block() for _ in range(COMMENT_POOL_SIZE)]
        # Windows cover whole multiples of the body size, so the run length scales with it.
        mean_block = sum(len(b.storage) for b in self.pool) / len(self.pool)
        length = max(RUN_LENGTH, int(8 * self.body_bytes / mean_block))
        self._runs = _Runs(self.pool, length, rng)
        self._comment_runs = _Runs(self.comment_pool, RUN_LENGTH // 4, rng)

    # ---- composition ---------------------------------------------------------------------
    def _mix(self, num: int, rev: int) -> int:
        """A well-spread 32-bit hash of (seed, num, rev); cheaper than seeding a Random per body."""
        h = (num * 0x9E3779B1 + rev * 0x85EBCA77 + self._salt) & 0xFFFFFFFF
        h = ((h ^ (h >> 16)) * 0x7FEB352D) & 0xFFFFFFFF
        h = ((h ^ (h >> 15)) * 0x846CA68B) & 0xFFFFFFFF
        return h ^ (h >> 16)

    @staticmethod
    def _with_dynamic(seq: list, h: int, dynamic: DynamicParts, attr: str | None) -> list:
        # Dynamic parts go at positions derived from the hash, so a revision always renders the same.
        slot_bits = h * 0x2545F491
        for part in (dynamic.markers, dynamic.tasks, dynamic.images, dynamic.decisions):
            if part is not None:
                seq.insert((slot_bits & 0xFFFF) % (len(seq) + 1), getattr(part, attr) if attr else part)
            slot_bits >>= 16
        return seq

    def content_blocks(self, num: int, rev: int, dynamic: DynamicParts) -> list[Block]:
        h = self._mix(num, rev)
        start, end = self._runs.window(h, self.body_bytes)
        return self._with_dynamic(self._runs.blocks[start:end], h, dynamic, None)

    def content_storage_json(self, num: int, rev: int, dynamic: DynamicParts) -> str:
        """Same body as ``storage_of(content_blocks(...))``, already escaped for JSON."""
        h = self._mix(num, rev)
        start, end = self._runs.window(h, self.body_bytes)
        return "".join(self._with_dynamic(self._runs.json[start:end], h, dynamic, "storage_json"))

    def content_adf_escaped(self, num: int, rev: int, dynamic: DynamicParts) -> str:
        """Same document as ``adf_of(content_blocks(...))``, already escaped for JSON."""
        h = self._mix(num, rev)
        start, end = self._runs.window(h, self.body_bytes)
        pieces = self._with_dynamic(self._runs.adf[start:end], h, dynamic, "adf_escaped")
        return ADF_HEAD_ESCAPED + ",".join(pieces) + ADF_TAIL_ESCAPED

    def comment_blocks(self, num: int, rev: int) -> list[Block]:
        start, end = self._comment_runs.window(self._mix(num, rev), COMMENT_BYTES)
        return self._comment_runs.blocks[start:end]


class _Runs:
    """A long random sequence of pool blocks with prefix sums of their lengths.

    A body is one slice of it: start at a hashed position and take blocks until the target size
    is reached. Slicing and joining run at C speed, which keeps serving bodies cheap.
    """

    def __init__(self, pool: Sequence[Block], length: int, rng: random.Random) -> None:
        self.blocks = [pool[rng.randrange(len(pool))] for _ in range(length)]
        self.json = [b.storage_json for b in self.blocks]
        self.adf = [b.adf_escaped for b in self.blocks]
        self.prefix = list(accumulate((len(b.storage) for b in self.blocks), initial=0))
        self.starts = length // 2  # starts come from the first half so a window never runs off the end

    def window(self, h: int, target_bytes: int) -> tuple[int, int]:
        start = (h >> 8) % self.starts
        target = int(target_bytes * (0.5 + (h & 0xFF) / 255))  # 0.5x .. 1.5x, mean 1x
        end = bisect_left(self.prefix, self.prefix[start] + target, start + 1)
        return start, min(end, len(self.blocks))

