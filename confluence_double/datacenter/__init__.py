"""Data Center mode of the double: the same generated site served as Confluence Data Center 7.x/8.x.

    with DataCenterDouble(SiteSpec(pages=200), DataCenterSettings(time_zone="Asia/Kathmandu")) as dc:
        config = dc.config()          # personal access token; dc.basic_config() for username/password

What differs from the Cloud double, as on a real server:
- REST v1 under ``{context path}/rest/api`` (default context ``/confluence``); lists page by
  ``start``/``limit``; ``_links.next`` is relative to ``_links.base`` (it lacks the context path).
- Users are identified by a user key (32 hex digits) and a username; bodies mention
  ``ri:userkey``. Timestamps are written in the server's time zone with its offset.
- ``/rest/api/content/search`` takes CQL: ``type``, ``space``, ``id``, ``label``, ``title``,
  ``lastmodified`` and ``created`` with ``= != > >= < <=``, ``in``/``not in``, ``and``/``or``/``not``,
  parentheses and ``order by``. Dates (``"yyyy-MM-dd HH:mm"``) are read in the server's zone (an
  ambiguous autumn wall time as its first occurrence) and compared to the minute. Search lists
  current content only and caps ``limit`` at 50 when a body is expanded (else 1000). Results are
  ordered by the full modification time, ties by id.
- ``/rest/api/content/scan`` (7.18+, ``scan_endpoint``): current pages by id, cursor-paginated;
  older versions answer 404.
- Auth: a personal access token as ``Bearer``, or basic username:password. With anonymous access
  on, an invalid token (or none) is an anonymous session, not an error: ``user/current`` says
  ``"type": "anonymous"`` and lists are empty. Wrong basic credentials answer 401.
"""

from .accounts import user_key, usernames
from .double import DataCenterDouble
from .routes import DataCenterRoutes
from .wire import DataCenterSettings

__all__ = ["DataCenterDouble", "DataCenterRoutes", "DataCenterSettings", "user_key", "usernames"]
