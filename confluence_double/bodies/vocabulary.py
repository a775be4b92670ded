"""The words, snippets and macros generated bodies are made of."""

WORDS = (
    "service cluster deploy rollout pipeline latency budget owner review schedule migration schema "
    "index cache queue consumer producer contract quota tenant region backup restore audit policy "
    "release ticket customer escalation feature flag experiment metric dashboard alert incident "
    "runbook handover sprint backlog roadmap milestone dependency risk decision proposal draft "
    "approval vendor invoice forecast campaign launch audience segment funnel retention onboarding "
    "checklist template workflow integration endpoint payload token certificate firewall gateway "
    "storage bucket partition replica failover throughput capacity cost estimate baseline target"
).split()

VERBS = (
    "updates validates replaces monitors documents tracks reduces improves blocks unblocks migrates "
    "reviews publishes archives owns schedules escalates approves rejects measures"
).split()

ADJECTIVES = (
    "critical stable legacy shared internal external weekly quarterly temporary manual automated "
    "regional primary secondary pending approved deprecated experimental"
).split()

LANGUAGES = ("python", "java", "sql", "bash", "yaml", "json", "go", "javascript")
CODE_SNIPPETS = (
    "def retry(call, attempts=3):\n    for n in range(attempts):\n        if call():\n            return n\n    return -1\n",
    "SELECT space_key, count(*) AS pages\nFROM pages\nWHERE status = 'current' AND size < 10 & 3\nGROUP BY space_key;\n",
    'kubectl -n payments rollout restart deploy/api && echo "done <ok>"\n',
    "retries: 3\ntimeout_seconds: 30\nendpoints:\n  - https://api.example.com/v1\n",
    '{"feature": "dark-mode", "enabled": true, "rollout": 0.25}\n',
    "for i := 0; i < n; i++ {\n    if items[i] < threshold && ok {\n        count++\n    }\n}\n",
    "public int size() {\n    return items == null ? 0 : items.size(); // <empty> => 0\n}\n",
    "const total = rows.filter(r => r.amount > 0).reduce((a, r) => a + r.amount, 0);\n",
)
PANEL_TYPES = (("info", "info"), ("note", "note"), ("warning", "warning"), ("tip", "success"))
STATUS_LOZENGES = (
    ("DONE", "Green", "green"),
    ("IN PROGRESS", "Yellow", "yellow"),
    ("BLOCKED", "Red", "red"),
    ("NOT STARTED", "Grey", "neutral"),
    ("IN REVIEW", "Blue", "blue"),
)
IMAGE_NAMES = ("architecture.png", "flow-diagram.png", "screenshot.png", "timeline.jpg", "org-chart.png")
EXTERNAL_LINKS = (
    "https://example.com/handbook",
    "https://status.example.com/",
    "https://docs.example.org/api?version=2&format=json",
    "https://example.net/reports/q3",
)

