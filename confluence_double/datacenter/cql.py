"""CQL as the double understands it: a recursive-descent parser into predicates over content."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from .wire import ApiError, Content

_TOKEN = re.compile(r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>!=|>=|<=|=|>|<|~|\(|\)|,)|(?P<word>[^\s"=!<>~(),]+))')
CQL_FIELDS = ("type", "space", "space.key", "id", "label", "title", "lastmodified", "created")
SORT_FIELDS = ("lastmodified", "created", "id", "title")


class CqlError(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(400, f"Could not parse cql : {message}")


def _tokens(cql: str) -> list[tuple[str, str]]:
    out, position = [], 0
    cql = cql.rstrip()
    while position < len(cql):
        match = _TOKEN.match(cql, position)
        if match is None or match.end() == position:
            raise CqlError(f"unexpected character at {position}")
        position = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
    return out


class Cql:
    """A parsed query: ``matches(obj)`` and the ``order`` it asks for."""

    def __init__(self, text: str, facts: Callable[[Content, str], list[str] | datetime | None], zone: ZoneInfo) -> None:
        self._facts = facts
        self._zone = zone
        self._tokens = _tokens(text)
        self._at = 0
        self.order: list[tuple[str, bool]] = []
        self._predicate = self._or()
        if self._peek_word("order"):
            self._at += 1
            if not self._peek_word("by"):
                raise CqlError("expected 'by' after 'order'")
            self._at += 1
            while True:
                name = self._word().lower()
                if name not in SORT_FIELDS:
                    raise CqlError(f"cannot order by {name}")
                descending = False
                if self._peek_word("asc") or self._peek_word("desc"):
                    descending = self._word().lower() == "desc"
                self.order.append((name, descending))
                if not self._take_op(","):
                    break
        if self._at != len(self._tokens):
            raise CqlError(f"unexpected {self._tokens[self._at][1]!r}")

    def matches(self, obj: Content) -> bool:
        return self._predicate(obj)

    # -- grammar: or := and ("or" and)* ; and := not ("and" not)* ; not := "not"? atom
    def _peek_word(self, word: str) -> bool:
        """Keywords are case-insensitive."""
        if self._at >= len(self._tokens):
            return False
        kind, value = self._tokens[self._at]
        return kind == "word" and value.lower() == word

    def _word(self) -> str:
        if self._at >= len(self._tokens) or self._tokens[self._at][0] != "word":
            raise CqlError("expected a word")
        self._at += 1
        return self._tokens[self._at - 1][1]

    def _take_op(self, op: str) -> bool:
        if self._at < len(self._tokens) and self._tokens[self._at] == ("op", op):
            self._at += 1
            return True
        return False

    def _value(self) -> str:
        if self._at >= len(self._tokens) or self._tokens[self._at][0] not in ("string", "word"):
            raise CqlError("expected a value")
        self._at += 1
        return self._tokens[self._at - 1][1]

    def _or(self) -> Callable[[Content], bool]:
        parts = [self._and()]
        while self._peek_word("or"):
            self._at += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda o: any(p(o) for p in parts))

    def _and(self) -> Callable[[Content], bool]:
        parts = [self._not()]
        while self._peek_word("and"):
            self._at += 1
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else (lambda o: all(p(o) for p in parts))

    def _not(self) -> Callable[[Content], bool]:
        if self._peek_word("not"):
            self._at += 1
            inner = self._atom()
            return lambda o: not inner(o)
        return self._atom()

    def _atom(self) -> Callable[[Content], bool]:
        if self._take_op("("):
            inner = self._or()
            if not self._take_op(")"):
                raise CqlError("missing )")
            return inner
        name = self._word().lower()
        if name not in CQL_FIELDS:
            raise CqlError(f"unknown field {name}")
        negate = False
        if self._peek_word("not"):
            self._at += 1
            negate = True
        if self._peek_word("in"):
            self._at += 1
            if not self._take_op("("):
                raise CqlError("expected ( after in")
            values = [self._value()]
            while self._take_op(","):
                values.append(self._value())
            if not self._take_op(")"):
                raise CqlError("missing ) after in list")
            test = self._membership(name, values)
            return (lambda o: not test(o)) if negate else test
        if negate:
            raise CqlError("expected in after not")
        for op in ("=", "!=", ">=", "<=", ">", "<", "~"):
            if self._take_op(op):
                return self._comparison(name, op, self._value())
        raise CqlError(f"expected an operator after {name}")

    def _membership(self, name: str, values: list[str]) -> Callable[[Content], bool]:
        wanted = {v.lower() for v in values}
        return lambda o: any(str(v).lower() in wanted for v in self._facts(o, name) or [])  # type: ignore[union-attr]

    def _comparison(self, name: str, op: str, value: str) -> Callable[[Content], bool]:
        if name in ("lastmodified", "created"):
            bound = self._date(value)
            compare = {"=": lambda m: m == bound, "!=": lambda m: m != bound, ">=": lambda m: m >= bound,
                       ">": lambda m: m > bound, "<": lambda m: m < bound, "<=": lambda m: m <= bound}.get(op)
            if compare is None:
                raise CqlError(f"{op} does not apply to dates")

            def date_test(o: Content) -> bool:
                moment = self._facts(o, name)
                # Compared to the minute: the object's time truncated to its minute.
                return isinstance(moment, datetime) and compare(moment.replace(second=0, microsecond=0))
            return date_test
        if op == "~":
            return lambda o: any(value.lower() in str(v).lower() for v in self._facts(o, name) or [])  # type: ignore[union-attr]
        if op not in ("=", "!="):
            raise CqlError(f"{op} does not apply to {name}")
        same = self._membership(name, [value])
        return same if op == "=" else (lambda o: not same(o))

    def _date(self, text: str) -> datetime:
        for pattern in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
            try:
                naive = datetime.strptime(text, pattern)
            except ValueError:
                continue
            # An ambiguous autumn wall time is read as its first occurrence (fold 0).
            return naive.replace(tzinfo=self._zone, fold=0).astimezone(UTC)
        raise CqlError(f"'{text}' is not a date (use \"yyyy-MM-dd HH:mm\")")


