"""A stream's state messages at a pace: at most one per interval, and always one at its end.

Every checkpoint of a partitioned stream emits the stream's whole state (the Airbyte protocol's
per-stream state holds every partition), so a stream that checkpoints many keys while its state grows
writes about the square of its size: `content_labels`' first round at the benchmark's full size
checkpointed ~1,500 label keys, emitting 505 MB of state for a final state of 0.6 MB, each message
also held on the record queue until written. Pacing keeps what a checkpoint means: a state message
still follows every record it covers (it is built when emitted, from what was checkpointed by
then), so a sync killed between two messages reads again what the last one did not cover, and
loses nothing. Paced: `content_labels` and the content streams (streams/registry.py; at 1x their
unpaced checkpoints wrote ~150 MB of state messages, each serialized, filtered and printed by the
connector's one busy thread). Only for streams whose state no other stream waits for: the users,
folders and decisions states are written ahead of the content checkpoints on purpose
(sync/references.py), at every change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from source_confluence.sync.state import PartitionedCursor


@dataclass
class PacedCursor(PartitionedCursor):
    interval_s: float = 5.0
    """The least time between two state messages of the stream, but for its last."""
    clock: Callable[[], float] = time.monotonic
    _last: float | None = field(default=None, init=False)
    _held: bool = field(default=False, init=False)

    def _emit_locked(self) -> None:
        now = self.clock()
        if self._last is not None and now - self._last < self.interval_s:
            self._held = True  # the next message, or the stream's last, carries this checkpoint
            return
        self._last, self._held = now, False
        super()._emit_locked()

    def ensure_at_least_one_state_emitted(self) -> None:
        """The stream ended (the CDK calls this once its partitions are done): its state as it is now."""
        with self._lock:
            self._last, self._held = self.clock(), False
            PartitionedCursor._emit_locked(self)
