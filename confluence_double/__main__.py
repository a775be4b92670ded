"""``python -m confluence_double``: see ``cli``."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
