"""End-to-end sync benchmark: the real connector process against the Confluence double over HTTP.

Run: ``make bench`` (everything RESULTS.md reports), or e.g.
``.venv/bin/python -m benchmarks.bench_sync --scales 0.1 --latencies 0 [--profile]``

For every site size (a fraction of the full site below) and per-request latency it starts the
double (``benchmarks.double_service``, its own process) and runs the console script
``.venv/bin/source-confluence read`` four times, each a separate process:

1. ``full``: the first sync (no state) of every stream in integration_tests/configured_catalog.json;
2. ``no_change``: an incremental sync from the state of 1, nothing changed on the site;
3. ``no_change_incremental``: the same without content_labels (a snapshot before issue 16; kept so
   that results compare with earlier ones);
4. ``changed``: an incremental sync from the state of 3 after ``--change-fraction`` (1%) of the
   content changed through the double (see site_changes.py);
5. ``attachment_text``: a first sync of ``attachments`` alone with ``attachment_text`` on (every
   file downloaded and read; see attachment_text_scenario.py).

Each run reports wall time, records per stream (counted from the connector's stdout by a reader
that does not parse records), HTTP requests by endpoint (from the double's request log), the
connector's peak resident memory, CPU seconds and context switches (``wait4`` rusage of that
process, which counts the child processes it waited for, e.g. the body pool's workers), the peak
RSS summed over it and its children (sampled), the double's CPU seconds over the same interval
(``/proc/<pid>/stat``), the reader's own CPU and what every other process of the machine used
meanwhile (``/proc/stat``). Results go to
``--out`` as one JSON file per (size, latency); ``--report`` turns them into the markdown tables of
RESULTS.md. ``--profile`` adds a full sync at 0 ms under py-spy (sampling only the thread holding
the GIL) and stores the top functions; ``--rate-limit-check`` checks that one 429 pauses every
worker. Nothing here is a timed test: ``pytest benchmarks`` checks the harness's values only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks import attachment_text_scenario, metered
from benchmarks.points_cost import is_cost_line, parse_cost, points_of, points_table

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONNECTOR = BIN / "source-confluence"
CATALOG = ROOT / "integration_tests" / "configured_catalog.json"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The full site (scale 1.0) of issue 6; other scales multiply every content count (not spaces,
# users or the body size).
FULL_SITE = {
    "spaces": 20,
    "pages": 100_000,
    "blog_posts": 10_000,
    "footer_comments": 160_000,
    "inline_comments": 40_000,
    "tasks": 50_000,
    "attachments": 30_000,
    "labels": 500,
    "users": 500,
    "body_bytes": 4096,
}
FIXED = ("spaces", "users", "body_bytes")
SCENARIOS = ("full", "no_change", "no_change_incremental", "changed", attachment_text_scenario.SCENARIO)
# no_change_incremental leaves out content_labels, the one stream that is a full snapshot by nature
# (3 requests per label on every sync): what the incremental streams cost on their own.
SNAPSHOT_STREAMS = ("content_labels",)
# Measured on its own (--versions, benchmarks.bench_versions): in the syncs here its first sync would
# read every history, one request per object, and swamp what the other streams cost.
SEPARATE_STREAMS = ("content_versions",)
STREAM_ORDER = ("spaces", "pages", "blog_posts", "comments", "tasks", "content_labels", "attachments", "users",
                "content_versions", "content_restrictions", "folders", "groups", "group_members", "audit_records",
                "space_permissions", "decisions", "content_views")


def site_flags(scale: float, seed: int) -> list[str]:
    flags = []
    for name, value in FULL_SITE.items():
        count = value if name in FIXED else max(1, round(value * scale))
        flags += ["--" + name.replace("_", "-"), str(count)]
    return flags + ["--seed", str(seed)]


# ---- the double ------------------------------------------------------------------------------
class Double:
    def __init__(self, scale: float, latency_ms: float, seed: int) -> None:
        command = [sys.executable, "-m", "benchmarks.double_service", "--port", "0",
                   "--latency-ms", str(latency_ms), *site_flags(scale, seed)]
        started = time.monotonic()
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the double did not start")
        self.startup_s = time.monotonic() - started
        self.info = json.loads(line)
        self.admin = self.info["admin_url"]

    def config(self, workers: int | None, auth: str = metered.API_TOKEN) -> dict[str, Any]:
        config: dict[str, Any] = {"site_url": self.info["url"], "credentials": metered.credentials(self.info, auth)}
        if workers is not None:
            config["num_workers"] = workers
        return config

    def _call(self, method: str, path: str) -> Any:
        url = self.admin + path  # our own admin port on 127.0.0.1
        request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)  # noqa: S310
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
            return json.loads(response.read())

    def requests(self, reset: bool = True) -> dict[str, Any]:
        return self._call("GET", "/requests?reset=1" if reset else "/requests")

    def change(self, fraction: float, seed: int) -> dict[str, Any]:
        return self._call("POST", f"/changes?fraction={fraction}&seed={seed}")

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/stats")

    def fault(self, status: int, retry_after: float, count: int = 1) -> dict[str, Any]:
        return self._call("POST", f"/faults?status={status}&retry_after={retry_after:g}&count={count}")

    def timeline(self) -> dict[str, Any]:
        return self._call("GET", "/timeline")

    def cpu_seconds(self) -> float:
        return _proc_cpu(self.process.pid)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _system_busy() -> float:
    """CPU seconds all processes of the machine have been busy since boot (every core)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15)


# ---- the connector ---------------------------------------------------------------------------
RECORD_PREFIX = b'{"type":"RECORD","record":{"stream":"'
STATE_PREFIX = b'{"type":"STATE"'
STATE_NAME = b'"stream_descriptor":{"name":"'


class OutputCounter:
    """Counts the connector's messages without parsing records: per stream records, bytes, and the
    times of the first and last record; keeps the last state message of every stream."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.records: Counter[str] = Counter()
        self.record_bytes: Counter[str] = Counter()
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.states: dict[str, bytes] = {}
        self.state_messages = 0
        self.state_bytes = 0
        self.other: Counter[str] = Counter()
        self.problems: list[str] = []
        self.cost_lines: list[bytes] = []
        self.control_lines: list[bytes] = []

    def feed_lines(self, lines: list[bytes]) -> None:
        now = time.monotonic() - self.started
        records, record_bytes = self.records, self.record_bytes
        start = len(RECORD_PREFIX)
        for line in lines:
            if line.startswith(RECORD_PREFIX):
                stream = line[start:line.index(b'"', start)].decode()
                records[stream] += 1
                record_bytes[stream] += len(line) + 1
                if stream not in self.first:
                    self.first[stream] = now
                self.last[stream] = now
            elif line.startswith(STATE_PREFIX):
                self.state_messages += 1
                self.state_bytes += len(line) + 1
                at = line.find(STATE_NAME)
                if at >= 0:
                    name_start = at + len(STATE_NAME)
                    self.states[line[name_start:line.index(b'"', name_start)].decode()] = line
            elif line:
                kind = line[9:line.find(b'"', 9)].decode(errors="replace") if line.startswith(b'{"type":"') else "text"
                self.other[kind] += 1
                if is_cost_line(line):
                    self.cost_lines.append(line)
                elif metered.is_control_line(line):
                    self.control_lines.append(line)
                if b'"level":"ERROR"' in line or b'"level":"FATAL"' in line or b'"failure_type"' in line:
                    self.problems.append(line[:600].decode(errors="replace"))

    def final_states(self) -> list[dict[str, Any]]:
        out = []
        for line in self.states.values():
            state = json.loads(line)["state"]
            out.append({"type": state["type"], "stream": state["stream"]})
        return out


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()]
    except OSError:  # gone meanwhile
        return []


def _descendants_rss_kb(pid: int) -> int:
    """VmRSS summed over the descendants of `pid` (pages a forked child shares count twice: an upper bound)."""
    total = 0
    for child in _children(pid):
        try:
            match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{child}/status").read_text())
        except OSError:
            continue
        total += int(match.group(1)) if match else 0
        total += _descendants_rss_kb(child)
    return total


class RssSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self.peak_steps: list[tuple[float, int]] = []  # (time, VmHWM) whenever the peak rose
        self.tree_peak_kb = 0
        self.own_cpu_s = 0.0
        """The process's own CPU (not its children's) at the last sample: with the body pool, the
        share of the sync that ran in the connector's process (its critical path on an idle core)."""
        """Peak of the RSS summed over the process and its descendants (the body pool's workers)."""
        self.done = threading.Event()
        self.started = time.monotonic()

    def run(self) -> None:
        path = f"/proc/{self.pid}/status"
        while not self.done.wait(self.interval):
            try:
                text = Path(path).read_text()
            except OSError:
                return
            match = re.search(r"VmRSS:\s+(\d+) kB", text)
            now = time.monotonic() - self.started
            if match:
                self.samples.append((now, int(match.group(1))))
            try:
                fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(") ", 1)[1].split()
                self.own_cpu_s = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
            if match:
                self.tree_peak_kb = max(self.tree_peak_kb, int(match.group(1)) + _descendants_rss_kb(self.pid))
            peak = re.search(r"VmHWM:\s+(\d+) kB", text)
            if peak and (not self.peak_steps or int(peak.group(1)) > self.peak_steps[-1][1]):
                self.peak_steps.append((now, int(peak.group(1))))

    def timeline(self, points: int = 20) -> list[list[float]]:
        """Peak RSS (MB) in each of `points` equal slices of the run."""
        if not self.samples:
            return []
        end = self.samples[-1][0] or 1.0
        slices: dict[int, int] = {}
        for at, kb in self.samples:
            index = min(points - 1, int(at / end * points))
            slices[index] = max(slices.get(index, 0), kb)
        return [[round((i + 1) * end / points, 1), round(kb / 1024, 1)] for i, kb in sorted(slices.items())]


def catalog_without(workdir: Path, streams: tuple[str, ...], base: Path = CATALOG) -> Path:
    catalog = json.loads(base.read_text())
    catalog["streams"] = [s for s in catalog["streams"] if s["stream"]["name"] not in streams]
    path = workdir / ("catalog-without-" + "-".join(streams) + ".json")
    path.write_text(json.dumps(catalog))
    return path


def run_connector(config: dict[str, Any], state: list[dict[str, Any]] | None, workdir: Path, label: str,
                  double: Double, profile: Path | None = None,
                  env: dict[str, str] | None = None,
                  catalog: Path = CATALOG, cpus: str | None = None,
                  connector: list[str] | None = None,
                  auth: str = metered.API_TOKEN) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One `read` of `connector` (default: this project's, as `auth` says) against `double`, measured.
    An OAuth sync rotates its refresh token: `config` then holds the new one, as the platform stores
    it, for the next sync."""
    env = env or {}
    config_path = workdir / f"{label}.config.json"
    config_path.write_text(json.dumps(config))
    command = [*(connector or metered.command(auth, CONNECTOR, double.info)), "read", "--config", str(config_path),
               "--catalog", str(catalog)]
    if state is not None:
        state_path = workdir / f"{label}.state.json"
        state_path.write_text(json.dumps(state))
        command += ["--state", str(state_path)]
    if cpus:
        command = ["taskset", "-c", cpus, *command]
    if profile is not None:
        command = [str(BIN / "py-spy"), "record", "--gil", "--nonblocking", "--rate", "100", "--format", "raw",
                   "--output", str(profile), "--", *command]
    stderr_path = workdir / f"{label}.stderr.txt"
    double_cpu_before = double.cpu_seconds()
    busy_before = _system_busy()
    own_before = os.times()
    started = time.monotonic()
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, cwd=ROOT, env={**os.environ, **env})
    sampler = RssSampler(process.pid, interval=0.1)
    sampler.start()
    counter = OutputCounter(started)
    assert process.stdout is not None
    fd = process.stdout.fileno()
    pending = b""
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        pending += chunk
        cut = pending.rfind(b"\n")
        if cut >= 0:
            counter.feed_lines(pending[:cut].split(b"\n"))
            pending = pending[cut + 1:]
    if pending:
        counter.feed_lines([pending])
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    sampler.done.set()
    own_after = os.times()
    double_cpu = double.cpu_seconds() - double_cpu_before
    busy = _system_busy() - busy_before
    requests = double.requests(reset=True)
    total_records = sum(counter.records.values())
    result = {
        "label": label,
        "exit_code": process.returncode,
        "wall_s": round(wall, 2),
        "records": dict(sorted(counter.records.items())),
        "total_records": total_records,
        "records_per_s": round(total_records / wall, 1) if wall else None,
        "record_mb": round(sum(counter.record_bytes.values()) / 1e6, 1),
        "first_record_s": {k: round(v, 2) for k, v in counter.first.items()},
        "last_record_s": {k: round(v, 2) for k, v in counter.last.items()},
        "state_messages": counter.state_messages,
        "state_mb": round(counter.state_bytes / 1e6, 2),
        "other_messages": dict(counter.other),
        "problems": counter.problems[:10],
        "connector_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "connector_user_s": round(usage.ru_utime, 2),
        "connector_system_s": round(usage.ru_stime, 2),
        "connector_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        # With child processes (the body pool): the sampled peak of the tree's summed RSS. The CPU above
        # (wait4) already counts every descendant the connector and its children waited for.
        "connector_tree_peak_rss_mb": round(sampler.tree_peak_kb / 1024, 1),
        "connector_own_cpu_s": round(sampler.own_cpu_s, 2),
        "connector_context_switches": {"voluntary": usage.ru_nvcsw, "involuntary": usage.ru_nivcsw},
        "connector_rss_timeline_mb": sampler.timeline(),
        # When the peak was reached: the last rise of VmHWM the sampler saw (the process may still
        # have risen after its last sample).
        "connector_peak_seen_at_s": round(sampler.peak_steps[-1][0], 1) if sampler.peak_steps else None,
        "connector_peak_rises_mb": [[round(t, 1), round(kb / 1024, 1)] for t, kb in sampler.peak_steps[-8:]],
        "double_cpu_s": round(double_cpu, 2),
        "reader_cpu_s": round((own_after.user - own_before.user) + (own_after.system - own_before.system), 2),
        # Everything else the machine ran meanwhile (other users' jobs): shows a contended run.
        "machine_busy_s": round(busy, 2),
        "other_processes_cpu_s": round(busy - usage.ru_utime - usage.ru_stime - double_cpu
                                       - (own_after.user - own_before.user) - (own_after.system - own_before.system), 2),
        "load_average": list(os.getloadavg()),
        "requests": requests,
        "requests_by_stream": requests_by_stream(requests["endpoints"]),
        "cost": parse_cost(counter.cost_lines),
        "auth": auth,
    }
    rotated = metered.rotated_config(counter.control_lines)
    if rotated is not None:
        config.clear()
        config.update(rotated)
    if process.returncode != 0:
        tail = stderr_path.read_text(errors="replace")[-3000:]
        result["stderr_tail"] = tail
        print(f"[{label}] connector exited with {process.returncode}:\n{tail}", file=sys.stderr)
    return result, counter.final_states()


def store(out: Path, name: str, result: dict[str, Any]) -> dict[str, Any]:
    """Writes one benchmark's result where RESULTS.md's tables are read from."""
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(json.dumps(result, indent=1) + "\n")
    return result


def stream_of(endpoint: str) -> str:
    """Which stream (or shared lookup) a request served, from its endpoint key."""
    _, path, params = endpoint.split(" ", 2)
    names = set(params.lstrip("?").split(","))
    if attachment_text_scenario.is_download(path):
        return "attachments (file downloads)"
    if path.endswith("/user/current"):
        return "check"
    if "/analytics/content/" in path:
        return "content_views"
    if path.endswith("/audit"):
        return "audit_records"
    if path.endswith("/membersByGroupId") or path.endswith("/member"):
        return "group_members"
    if path.endswith("/group"):
        return "groups"
    if path.endswith(("/permissions", "/space-roles", "/role-assignments")):
        return "space_permissions"
    if "/folders/" in path:
        return "folders"
    if path.endswith(("/content/search", "/restriction")):  # the restrictions' batched CQL look-ups
        return "content_restrictions"
    if path.endswith("/users-bulk"):
        return "users (bulk look-ups, also for mentions)"
    if "/labels" in path:
        return "content_labels"
    if path.endswith("/spaces"):
        return "spaces"
    if path.endswith("/tasks"):
        return "tasks"
    if path.endswith("-comments"):
        return "comments"
    if "-comments/" in path and "/versions/" in path:
        return "comments (creation times: version 1)"
    if path.endswith("/versions"):
        return "content_versions (version lists)"
    if path.endswith("/attachments"):
        return "attachments"
    if path.endswith("/pages") or path.endswith("/blogposts"):
        stream = "pages" if path.endswith("/pages") else "blog_posts"
        if "id" in names:
            return "container look-ups (comments, attachments)"
        if "body-format" in names:
            return stream
        if "sort=id" in names:
            return f"{stream} (deletion check)"
        return "tasks"  # changed-container walks and newest-container probes
    return "other"


def requests_by_stream(endpoints: dict[str, int]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for endpoint, count in endpoints.items():
        out[stream_of(endpoint)] += count
    return dict(sorted(out.items()))


# ---- profiles --------------------------------------------------------------------------------
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]*)(?::\d+)?\)$")
AREAS = (
    ("records/body_", "body_text (storage -> text)"),
    ("records/builders.py", "records (flattening)"),
    ("records/values.py", "records (flattening)"),
    ("json/decoder.py", "JSON parse of responses"),
    ("json/__init__.py", "JSON parse of responses"),
    ("serpyco", "message serialisation"),
    ("orjson", "message serialisation"),
    ("airbyte_protocol", "message serialisation"),
    ("models/airbyte_protocol", "message serialisation"),
    ("urllib3", "HTTP client (requests/urllib3)"),
    ("requests/", "HTTP client (requests/urllib3)"),
    ("http/client.py", "HTTP client (requests/urllib3)"),
    ("socket.py", "HTTP client (requests/urllib3)"),
    ("email/", "HTTP client (requests/urllib3)"),
    ("queue.py", "CDK queue and threads"),
    ("threading.py", "CDK queue and threads"),
    ("concurrent/futures", "CDK queue and threads"),
    ("source_confluence/", "connector (other)"),
    ("airbyte_cdk/", "CDK (other)"),
)


def summarize_profile(path: Path, top: int = 25) -> dict[str, Any]:
    """Self (leaf) and inclusive sample counts per function, and an attribution to areas."""
    self_counts: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = []
        for frame in stack.split(";"):
            match = _FRAME.match(frame)
            if match:
                file = match.group("file")
                short = "/".join(file.split("/")[-2:])
                frames.append((f"{match.group('func')} ({short})", file))
            else:
                frames.append((frame, frame))
        self_counts[frames[-1][0]] += count
        for name in {name for name, _ in frames}:
            inclusive[name] += count
        area = "other"
        for _, file in reversed(frames):
            hit = next((label for needle, label in AREAS if needle in file), None)
            if hit is not None:
                area = hit
                break
        areas[area] += count

    def share(counter: Counter[str]) -> list[list[Any]]:
        return [[name, round(100 * n / total, 1)] for name, n in counter.most_common(top)]

    return {"samples": total, "self_pct": share(self_counts), "inclusive_pct": share(inclusive),
            "areas_pct": [[name, round(100 * n / total, 1)] for name, n in areas.most_common()]}


# ---- driver ----------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    from importlib.metadata import version

    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gib": round(memory_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            "airbyte_cdk": version("airbyte-cdk")}


def bench(scale: float, latency_ms: float, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tag = f"scale-{scale:g}_latency-{latency_ms:g}"
    base_catalog = catalog_without(workdir, SEPARATE_STREAMS, args.catalog)
    print(f"== {tag}: starting the double", flush=True)
    double = Double(scale, latency_ms, args.seed)
    try:
        double.requests(reset=True)
        config = double.config(args.workers, args.auth)
        result: dict[str, Any] = {
            "scale": scale, "latency_ms": latency_ms, "workers": args.workers or "default (4)", "auth": args.auth,
            "connector_env": args.env,
            "site_flags": " ".join(site_flags(scale, args.seed)), "double_startup_s": round(double.startup_s, 1),
            "machine": machine(), "site_before": double.stats()["site"], "runs": {},
        }
        state = None
        for scenario in SCENARIOS[:args.runs]:
            if scenario == "changed":
                result["changes"] = double.change(args.change_fraction, args.change_seed)
                double.requests(reset=True)
                print(f"   applied {result['changes']['applied']['total']} changes", flush=True)
            catalog, run_config, run_state = base_catalog, config, state
            if scenario == "no_change_incremental":
                catalog = catalog_without(workdir, SNAPSHOT_STREAMS, base_catalog)
            if scenario == attachment_text_scenario.SCENARIO:  # a first sync of attachments, reading files
                run_config, catalog = attachment_text_scenario.prepare(config, workdir, base_catalog)
                run_state = None
            run, new_state = run_connector(run_config, run_state, workdir, f"{tag}_{scenario}", double, env=args.env,
                                           catalog=catalog, cpus=args.connector_cpus, auth=args.auth)
            config["credentials"] = run_config["credentials"]  # an OAuth run's rotated refresh token
            # Streams a run left out keep their state for the next one.
            kept = {entry["stream"]["stream_descriptor"]["name"]: entry for entry in state or []}
            kept.update({entry["stream"]["stream_descriptor"]["name"]: entry for entry in new_state})
            state = list(kept.values())
            result["runs"][scenario] = run
            _progress(run)
        if args.profile and latency_ms == 0:  # the CPU-bound case
            profile_path = Path(args.profile_dir) / f"{tag}_full.pyspy.txt"
            profiled, _ = run_connector(config, None, workdir, f"{tag}_profile", double, profile=profile_path,
                                        env=args.env, catalog=base_catalog, auth=args.auth)
            result["profile"] = {"wall_s": profiled["wall_s"], "path": str(profile_path),
                                 **summarize_profile(profile_path)}
            print(f"   profile: {profile_path}", flush=True)
        stats = double.stats()
        result["site_after"] = stats["site"]
        result["double_process"] = stats["process"]
    finally:
        double.stop()
    return store(Path(args.out), f"{tag}.json", result)


def _progress(run: dict[str, Any]) -> None:
    print(f"   {run['label']}: {run['wall_s']} s, {run['total_records']} records ({run['records_per_s']}/s), "
          f"{run['requests']['total']} requests, peak RSS {run['connector_peak_rss_mb']} MB, "
          f"CPU connector {run['connector_cpu_s']} s / double {run['double_cpu_s']} s / others "
          f"{run['other_processes_cpu_s']} s, exit {run['exit_code']}",
          flush=True)


# ---- shared rate gate under load -------------------------------------------------------------
def rate_limit_check(args: argparse.Namespace, workdir: Path, scale: float = 0.1, latency_ms: float = 20,
                     retry_after: float = 3.0, inject_after_s: float = 5.0) -> dict[str, Any]:
    """A full sync with every worker busy; one request is answered 429 with Retry-After. With a
    rate budget shared by all workers (transport.RateGate) no new request may reach the server until
    the pause is over, only those already on the wire when the 429 arrived."""
    print(f"== rate-limit check: scale {scale:g}, latency {latency_ms:g} ms, one 429 with Retry-After {retry_after:g}",
          flush=True)
    double = Double(scale, latency_ms, args.seed)
    try:
        double.requests(reset=True)
        outcome: dict[str, Any] = {}

        def sync() -> None:
            outcome["run"], _ = run_connector(double.config(args.workers), None, workdir, "rate_limit", double,
                                              env=args.env, catalog=catalog_without(workdir, SEPARATE_STREAMS,
                                                                                    args.catalog))

        thread = threading.Thread(target=sync)
        thread.start()
        time.sleep(inject_after_s)
        double.fault(429, retry_after)
        # The timeline must be read before run_connector resets the request log at the end.
        timeline: list[Any] = []
        while thread.is_alive():
            timeline = double.timeline()["requests"] or timeline
            thread.join(timeout=0.5)
        run = outcome["run"]
    finally:
        double.stop()
    limited = [entry for entry in timeline if entry[3] == 429]
    if not limited:
        return {"error": "no 429 was served", "run_exit": run["exit_code"]}
    at = limited[0][0]
    in_flight_s = latency_ms / 1000 + 0.25  # sent before the 429 reached the client
    during = [entry for entry in timeline if at + in_flight_s < entry[0] < at + retry_after]
    before = [entry for entry in timeline if at - retry_after <= entry[0] < at]
    after = [entry for entry in timeline if entry[0] >= at + retry_after]
    resumed = min((entry[0] for entry in after), default=None)
    result = {
        "scale": scale, "latency_ms": latency_ms, "retry_after_s": retry_after, "workers": args.workers or 4,
        "requests_per_s_before": round(len(before) / retry_after, 1),
        "requests_arriving_in_flight_window": len([e for e in timeline if at < e[0] <= at + in_flight_s]),
        "requests_during_pause": len(during),
        "first_request_after_429_s": round(resumed - at, 3) if resumed is not None else None,
        "requests_per_s_after": round(len([e for e in after if e[0] < at + 2 * retry_after]) / retry_after, 1),
        "sync_exit_code": run["exit_code"], "sync_records": run["total_records"],
        "sync_requests": run["requests"]["total"],
    }
    print("   " + json.dumps(result), flush=True)
    return store(Path(args.out), "rate_limit_check.json", result)


# ---- report ----------------------------------------------------------------------------------
def report(out: Path) -> str:
    """The markdown tables of RESULTS.md, from the stored results."""
    results = [json.loads(p.read_text()) for p in sorted(out.glob("scale-*_latency-*.json"))]
    results.sort(key=lambda r: (r["latency_ms"], r["scale"]))
    lines = ["| site | latency | sync | wall s | records | records/s | requests | points | requests per 1k records | "
             "connector CPU s | connector peak RSS MB | double CPU s | other processes' CPU s |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        for name in SCENARIOS:
            run = r["runs"].get(name)
            if run is None:
                continue
            requests = run["requests"]["total"]
            per_k = f"{1000 * requests / run['total_records']:.1f}" if run["total_records"] >= 1000 else "-"
            lines.append(
                f"| {r['scale']:g}x | {r['latency_ms']:g} ms | {name} | {run['wall_s']:.1f} | {run['total_records']:,} | "
                f"{run['records_per_s']:,.0f} | {requests:,} | {_points_cell(run)} | {per_k} | {run['connector_cpu_s']:.1f} | "
                f"{run['connector_peak_rss_mb']:.0f} | {run['double_cpu_s']:.1f} | "
                f"{max(0.0, run.get('other_processes_cpu_s', 0)):.0f} |")
    lines.append("")
    for r in results:
        runs = r["runs"]
        lines.append(f"#### {r['scale']:g}x site, {r['latency_ms']:g} ms per request: per stream")
        lines.append("")
        lines.append("| stream | full: records | full: records/s (whole sync) | full: active s | full: requests | "
                     "full: requests per 1k records | no_change: requests | no_change_incremental: requests | "
                     "changed: records | changed: requests |")
        lines.append("| --- |" + " ---: |" * 9)
        streams = list(STREAM_ORDER) + sorted(
            {s for run in runs.values() for s in run["requests_by_stream"]} - set(STREAM_ORDER))
        for stream in streams:
            full = runs.get("full", {})
            records = full.get("records", {}).get(stream)
            requests = full.get("requests_by_stream", {}).get(stream)
            active = None
            if stream in full.get("first_record_s", {}):
                active = full["last_record_s"][stream] - full["first_record_s"][stream]
            cells = [
                f"{records:,}" if records else "-",
                f"{records / full['wall_s']:,.0f}" if records else "-",
                f"{active:.1f}" if active is not None else "-",
                f"{requests:,}" if requests else "-",
                f"{1000 * requests / records:.1f}" if records and requests else "-",
            ]
            for name in ("no_change", "no_change_incremental"):
                cells.append(str(runs.get(name, {}).get("requests_by_stream", {}).get(stream, "-")))
            changed = runs.get("changed", {})
            changed_records = changed.get("records", {}).get(stream)
            cells += [f"{changed_records:,}" if changed_records else "-",
                      str(changed.get("requests_by_stream", {}).get(stream, "-"))]
            lines.append(f"| {stream} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += points_table(results, SCENARIOS)
    return "\n".join(lines)


def _points_cell(run: dict[str, Any]) -> str:
    points = points_of(run)
    return f"{points:,}" if points is not None else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--latencies", type=float, nargs="+", default=[0, 100])
    parser.add_argument("--workers", type=int, default=None, help="num_workers (default: the spec's default)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--change-fraction", type=float, default=0.01)
    parser.add_argument("--change-seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=len(SCENARIOS), choices=range(len(SCENARIOS) + 1),
                        help="how many of " + ", ".join(SCENARIOS) + " to run (0: only --profile)")
    parser.add_argument("--profile", action="store_true", help="also profile a full sync at 0 ms with py-spy")
    parser.add_argument("--profile-dir", default=tempfile.gettempdir())
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="environment variable for the connector process (repeatable)")
    parser.add_argument("--catalog", type=Path, default=CATALOG, help="configured catalog (default: every stream)")
    parser.add_argument("--connector-cpus", default=None, help="run the connector under taskset -c CPUS (experiments)")
    parser.add_argument("--auth", choices=metered.AUTH_MODES, default=metered.API_TOKEN,
                        help="how the connector signs in; oauth2.0 and scoped_api_token are metered in points "
                        "(benchmarks/metered.py)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--report", action="store_true", help="only print the tables of the stored results")
    parser.add_argument("--rate-limit-check", action="store_true",
                        help="also check that one 429 pauses every worker (shared rate gate)")
    parser.add_argument("--versions", action="store_true",
                        help="also measure content_versions alone at 0.1x (benchmarks.bench_versions)")
    args = parser.parse_args(argv)
    args.env = dict(item.split("=", 1) for item in args.env)
    if args.report:
        print(report(Path(args.out)))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        failed = False
        for latency in args.latencies:
            for scale in args.scales:
                result = bench(scale, latency, args, Path(tmp))
                failed |= any(run["exit_code"] != 0 for run in result["runs"].values())
        if args.rate_limit_check:
            check = rate_limit_check(args, Path(tmp))
            failed |= check.get("requests_during_pause", 1) != 0
    if args.versions:
        from benchmarks.bench_versions import bench_versions
        from benchmarks.bench_versions import report as versions_report

        versions = bench_versions(0.1, Path(args.out), args.seed, args.change_fraction, args.change_seed, args.workers)
        failed |= any(run["exit_code"] != 0 for run in versions["runs"].values())
        print(versions_report(Path(args.out)))
    print(report(Path(args.out)))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

