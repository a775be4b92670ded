"""Random building blocks: ids, skewed picks, version counts, modification times."""

from __future__ import annotations

import random
from bisect import bisect_left
from itertools import accumulate

from .vocabulary import T_END


def random_uuid(rng: random.Random) -> str:
    a, b, c = rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12)
    d, e = 0x8000 | rng.getrandbits(14), rng.getrandbits(48)
    return f"{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}"


class Picker:
    """Skewed choice of an index: a few items get most of the picks (Zipf-like)."""

    def __init__(self, n: int, exponent: float = 1.0) -> None:
        self.cum = list(accumulate(1.0 / (i + 1) ** exponent for i in range(n)))

    def pick(self, rng: random.Random) -> int:
        return bisect_left(self.cum, rng.random() * self.cum[-1])


def version_count(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.4:
        return 1
    if r < 0.8:
        return rng.randint(2, 5)
    if r < 0.95:
        return rng.randint(6, 20)
    return rng.randint(21, 60)


def modified_time(rng: random.Random, created: int, versions: int, end: int = T_END) -> int:
    if versions == 1:
        return created
    return created + 1000 + int((end - created - 1000) * rng.random() ** 1.5)

