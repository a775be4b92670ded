"""Decisions: decision items in the bodies of pages and blog posts, and their mutations.

A decision lives only in its container's body (there is no decisions API): adding, deciding or
removing one saves the container (a new version by the acting user), as Confluence's editor does.
Generated bodies render a container's decisions as one live part (``bodies.decision_block``), in
the current ADF-extension form or, for a ``legacy`` decision, the older structured-macro form; a
container with a hand-written body keeps its decisions in that body, so these mutations refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .clock import normalize_at
from .entities import BlogPost, NotFound, Page


@dataclass(slots=True, eq=False)
class Decision:
    local_id: str
    container_id: str
    decided: bool
    body: str  # storage of the decision's text
    legacy: bool = False  # the older <ac:structured-macro ac:name="decision"> form

    @property
    def id(self) -> str:
        """The connector's record id."""
        return f"{self.container_id}:{self.local_id}"


class DecisionMutations:
    """A mixin of ``Site``: ``decisions_by_container``, ``lock``, ``_changed`` come from it."""

    def decisions_of(self, container_id: str) -> list[Decision]:
        return list(self.decisions_by_container.get(container_id, ()))

    def _decision_container(self, container_id: str) -> Page | BlogPost:
        container = self.container(container_id)
        if container.body is not None:
            raise ValueError(f"{container_id} has a hand-written body: its decisions are in that body")
        return container

    def _saved(self, container: Page | BlogPost, by_account_id: str | None, at: datetime) -> None:
        self._new_version(container, at, self._actor(by_account_id))
        self._changed()

    def add_decision(self, container_id: str, text: str, decided: bool = True, legacy: bool = False,
                     by_account_id: str | None = None, at: datetime | None = None,
                     local_id: str | None = None) -> Decision:
        at = normalize_at(at)
        with self.lock:
            container = self._decision_container(container_id)
            self.next_decision_id += 1
            decision = Decision(local_id or f"dec-{self.next_decision_id}", container_id, decided, text, legacy)
            self.decisions_by_container.setdefault(container_id, []).append(decision)
            self._saved(container, by_account_id, at)
            return decision

    def _find_decision(self, container_id: str, local_id: str) -> Decision:
        for decision in self.decisions_by_container.get(container_id, ()):
            if decision.local_id == local_id:
                return decision
        raise NotFound(f"no decision {local_id} in {container_id}")

    def decide(self, container_id: str, local_id: str, decided: bool = True, by_account_id: str | None = None,
               at: datetime | None = None) -> Decision:
        at = normalize_at(at)
        with self.lock:
            container = self._decision_container(container_id)
            decision = self._find_decision(container_id, local_id)
            decision.decided = decided
            self._saved(container, by_account_id, at)
            return decision

    def remove_decision(self, container_id: str, local_id: str, by_account_id: str | None = None,
                        at: datetime | None = None) -> None:
        at = normalize_at(at)
        with self.lock:
            container = self._decision_container(container_id)
            decision = self._find_decision(container_id, local_id)
            self.decisions_by_container[container_id].remove(decision)
            if not self.decisions_by_container[container_id]:
                del self.decisions_by_container[container_id]
            self._saved(container, by_account_id, at)
