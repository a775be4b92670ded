"""The words, names and proportions generated sites are made of."""

from __future__ import annotations

from ..model import from_ms, to_ms

T_START = to_ms(from_ms(0).replace(year=2023, month=1, day=1))
T_END = to_ms(from_ms(0).replace(year=2026, month=6, day=30, hour=23, minute=59, second=59))
DAY = 86_400_000

BASE_SPACES = (
    ("ENG", "Engineering"),
    ("OPS", "Operations"),
    ("MKT", "Marketing"),
    ("HR", "People & Culture"),
    ("SALES", "Sales"),
    ("DOCS", "Product Documentation"),
    ("SUP", "Customer Support"),
    ("FIN", "Finance"),
    ("LEGAL", "Legal"),
    ("DES", "Design"),
    ("DATA", "Data Platform"),
    ("SEC", "Security"),
    ("IT", "IT Help Desk"),
    ("PM", "Product Management"),
    ("QA", "Quality Engineering"),
    ("INFRA", "Infrastructure"),
)
FIRST_NAMES = (
    "Ada Bram Chloé Dmitri Elif Farah Gustavo Hana Ivan Jonas Keiko Lena Mateo Nadia Oskar Priya "
    "Quentin Rosa Sven Tomás Uma Viktor Wen Ximena Yusuf Zoë Amara Bilal Carmen Dev"
).split()
LAST_NAMES = (
    "Okafor Lindqvist Moreau Petrov Yılmaz Haddad Silva Tanaka Novak Becker Sato Kowalski Rossi "
    "Nguyen Andersen Müller O'Brien Fischer Costa Ibrahim Kaur Jensen Dubois Park Schmidt"
).split()
APP_NAMES = (
    "Automation for Confluence",
    "Jira Cloud",
    "Confluence Analytics",
    "Slack Integration",
    "Draw.io",
)
TIME_ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Europe/London",
    "America/Los_Angeles",
    "UTC",
)
DOC_KINDS = (
    "Runbook",
    "Design doc",
    "How-to",
    "Meeting notes",
    "Retrospective",
    "Decision log",
    "Onboarding guide",
    "Postmortem",
    "Roadmap",
    "FAQ",
    "Requirements",
    "Architecture overview",
    "Release notes",
    "Troubleshooting",
    "Checklist",
)
TOPICS = (
    "payments service",
    "search cluster",
    "billing",
    "customer portal",
    "data warehouse",
    "mobile app",
    "SSO & identity",
    "release train",
    "on-call",
    'vendor "Acme" contract',
    "Q3 planning",
    "café rollout — EMEA",
    "API gateway",
    "hiring loop",
    "<beta> feature flags",
    "cost review",
)
BLOG_KINDS = (
    "Weekly update",
    "Release",
    "Announcement",
    "Team spotlight",
    "Incident summary",
    "Tips & tricks",
)
BASE_LABELS = (
    "meeting-notes",
    "how-to",
    "decision",
    "retrospective",
    "architecture",
    "runbook",
    "onboarding",
    "postmortem",
    "roadmap",
    "release-notes",
    "kb-how-to-article",
    "troubleshooting",
    "requirements",
    "security",
    "faq",
    "design",
    "api",
    "incident",
    "planning",
    "archived-content",
)
FILE_KINDS = (
    ("png", 30),
    ("jpg", 10),
    ("pdf", 15),
    ("docx", 8),
    ("xlsx", 8),
    ("pptx", 4),
    ("txt", 5),
    ("csv", 6),
    ("json", 4),
    ("zip", 4),
    ("svg", 3),
    ("gif", 2),
    ("mp4", 1),
)
FILE_STEMS = (
    "diagram",
    "screenshot",
    "report",
    "export",
    "notes",
    "budget",
    "slides",
    "logo",
    "trace",
    "design",
)
SELECTIONS = (
    "the rollback plan",
    "owner of this step",
    "by end of quarter",
    "p95 latency",
    "the old endpoint",
    "manual approval",
    "this number",
    "customer impact",
)
VERB_PHRASES = ("Review", "Update", "Follow up on", "Schedule a call about", "Write tests for", "Decide on", "Clean up")
COMMENT_MESSAGES = ("", "", "", "", "Fixed typos", "Updated after review", "Added details")
