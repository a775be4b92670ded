"""Users and spaces."""

from __future__ import annotations

from ..bodies import WORDS
from ..model import Space, User, from_ms
from .randomness import Picker, random_uuid
from .vocabulary import APP_NAMES, BASE_SPACES, DAY, DOC_KINDS, FIRST_NAMES, LAST_NAMES, T_START, TIME_ZONES


class PeopleAndSpaces:
    """Users and spaces.

    A mixin of ``SiteBuilder``: its steps run in a fixed order on one random stream.
    """

    def _users(self) -> None:
        """Humans and apps, the first one the current user; a few hidden emails and inactive accounts."""
        rng, spec, site = self.rng, self.spec, self.site
        users: list[User] = []
        seen_names: set[str] = set()
        for i in range(spec.users):
            is_app = i > 0 and spec.users >= 8 and rng.random() < 0.08
            if is_app:
                account_id = "557058:" + random_uuid(rng)
                name = APP_NAMES[i % len(APP_NAMES)]
                base = name
                n = 2
                while name in seen_names:
                    name = f"{base} {n}"
                    n += 1
                seen_names.add(name)
                users.append(User(account_id, name, name, "", "app", "active", "UTC"))
                continue
            account_id = f"{rng.getrandbits(96):024x}"
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}"
            n = 2
            while name in seen_names:
                name = f"{first} {last} {n}"
                n += 1
            seen_names.add(name)
            hidden = i > 0 and rng.random() < 0.15
            email = "" if hidden else f"{first.lower()}.{last.lower()}@example.com".replace("'", "")
            status = "inactive" if i > 0 and rng.random() < 0.08 else "active"
            public = first if rng.random() < 0.3 else name
            users.append(User(account_id, name, public, email, "atlassian", status, rng.choice(TIME_ZONES)))
        site.users = {u.account_id: u for u in users}
        site.current_user_id = users[0].account_id
        humans = [u for u in users if u.account_type == "atlassian"]
        author_picker = Picker(len(users), 0.9)
        self.users, self.humans, self.author_picker = users, humans, author_picker

    def _spaces(self) -> None:
        """Global spaces, one archived (8+ spaces) and one personal (4+ spaces)."""
        rng, spec = self.rng, self.spec
        author = self.author
        humans, register = self.humans, self.register
        spaces: list[Space] = []
        for i in range(spec.spaces):
            personal = spec.spaces >= 4 and i == spec.spaces - 1
            created = T_START + int(rng.random() * 60 * DAY)
            if personal:
                owner = humans[min(1, len(humans) - 1)]
                space = Space(
                    "",
                    "~" + owner.account_id.replace(":", ""),
                    owner.display_name,
                    f"Personal space of {owner.display_name}",
                    "personal",
                    "current",
                    owner.account_id,
                    from_ms(created),
                )
            else:
                if i < len(BASE_SPACES):
                    key, name = BASE_SPACES[i]
                else:
                    key, name = f"PRJ{i + 1}", f"Project {rng.choice(WORDS).capitalize()} {i + 1}"
                archived = spec.spaces >= 8 and i == spec.spaces - 2
                space = Space(
                    "",
                    key,
                    name,
                    f"Home of the {name} team: {rng.choice(DOC_KINDS).lower()}, decisions and more.",
                    "global",
                    "archived" if archived else "current",
                    author(),
                    from_ms(created),
                )
            spaces.append(space)
            register(created, space)
        self.spaces = spaces
