"""A local imitation of Confluence over real HTTP: Cloud (REST v2 plus v1 user/current, OAuth and the
API gateway) and Data Center (REST v1 with CQL), serving one generated site. See README.md.

    from confluence_double import ConfluenceDouble, SiteSpec
    with ConfluenceDouble(SiteSpec(pages=200), latency_ms=0) as double:
        config = double.config()

``model`` holds the site and its mutations (and which of them create new versions), ``generator``
builds a site from a ``SiteSpec``, ``bodies`` renders page bodies, ``api`` answers as Cloud (one
module per endpoint family), ``datacenter`` as Data Center, ``oauth`` as Atlassian's OAuth endpoints
and gateway, ``server`` and ``faults`` put it all behind HTTP with a request log and fault rules.
"""

from .api import CloudRoutes
from .datacenter import DataCenterDouble, DataCenterRoutes, DataCenterSettings, user_key
from .generator import build_site
from .model import Attachment, BlogPost, Comment, Label, NotFound, Page, Site, SiteSpec, Space, Task, User, Version
from .oauth import OAuthServer
from .server import ConfluenceDouble, FaultRule, Faults, RequestRecord

__all__ = [
    "Attachment",
    "BlogPost",
    "Comment",
    "CloudRoutes",
    "ConfluenceDouble",
    "DataCenterDouble",
    "DataCenterRoutes",
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
    "user_key",
]
