"""Decisions in generated bodies: most meeting notes and retrospectives carry a few, some other
pages and blog posts one or two; a fifth are in the older decision-macro form.

Drawn from a random stream of their own (seeded from the site's seed), after every other step, so
adding them changed no other object of a site generated from a given seed.
"""

from __future__ import annotations

import random

from ..bodies import xml_escape
from ..model import BlogPost, Page, Site
from ..model.decisions import Decision
from .vocabulary import TOPICS, VERB_PHRASES

MEETING_KINDS = ("Meeting notes", "Retrospective")
SALT = 0xDEC1510


def add_decisions(site: Site, pages: list[Page], blogs: list[BlogPost]) -> None:
    rng = random.Random(site.spec.seed ^ SALT)
    users = sorted(site.users)
    for container in [*pages, *blogs]:
        if container.body is not None:
            continue
        meeting = any(kind in container.title for kind in MEETING_KINDS)
        if not (meeting and rng.random() < 0.8 or rng.random() < 0.03):
            continue
        for _ in range(1 + int(rng.random() * (4 if meeting else 2))):
            text = xml_escape(f"{rng.choice(VERB_PHRASES)} {rng.choice(TOPICS)}")
            if rng.random() < 0.3:  # a mention inside the decision, as people write "agreed with @someone"
                text += f' <strong><ac:link><ri:user ri:account-id="{rng.choice(users)}" /></ac:link></strong>'
            site.next_decision_id += 1
            decision = Decision(f"dec-{site.next_decision_id}", container.id, rng.random() < 0.7, text,
                                rng.random() < 0.2)
            site.decisions_by_container.setdefault(container.id, []).append(decision)
