"""A local imitation of Confluence Cloud's REST API (v2 plus v1 user/current) over real HTTP.

    from confluence_double import ConfluenceDouble, SiteSpec
    with ConfluenceDouble(SiteSpec(pages=200), latency_ms=0) as double:
        config = double.config()

See ``model`` for the site mutations and which of them create new versions, ``api`` for the
pagination and filtering rules, and ``server`` for faults and the request log. ``oauth`` answers as
Atlassian's OAuth endpoints and API gateway; ``datacenter.DataCenterDouble`` serves the same site as
Confluence Data Center.
"""

from .api import CloudRoutes
from .datacenter import DataCenterDouble, DataCenterSettings
from .generator import build_site
from .model import (
    Attachment,
    BlogPost,
    Comment,
    Label,
    NotFound,
    Page,
    Site,
    SiteSpec,
    Space,
    Task,
    User,
    Version,
)
from .oauth import OAuthServer
from .server import ConfluenceDouble, FaultRule, Faults, RequestRecord

__all__ = [
    "Attachment",
    "BlogPost",
    "Comment",
    "CloudRoutes",
    "ConfluenceDouble",
    "DataCenterDouble",
    "DataCenterSettings",
    "FaultRule",
    "Faults",
    "Label",
    "NotFound",
    "OAuthServer",
    "Page",
    "RequestRecord",
    "Site",
    "SiteSpec",
    "Space",
    "Task",
    "User",
    "Version",
    "build_site",
]
