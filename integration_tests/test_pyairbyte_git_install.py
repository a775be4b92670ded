"""PyAirbyte installs the connector from a git URL, with no checkout or executable of it at hand.

The repository's committed HEAD is cloned to a temporary folder and handed to
`ab.get_source("source-confluence-plus", pip_url="git+file://<clone>")`, as README shows with the
GitHub URL; PyAirbyte builds its own virtualenv (with uv, resolving from PyAirbyte's index), runs
`check` and reads `spaces` from the local Confluence double. PyAirbyte runs in a child process
because it reads AIRBYTE_OFFLINE_MODE when imported. Measured here: about 50 s with uv's cache warm
(clone, virtualenv, build and install, PyAirbyte's import, check and read); a cold cache adds the
download of the runtime dependencies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.pipeline

REPO = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import airbyte as ab

    url, install_root, config = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
    source = ab.get_source("source-confluence-plus", config=config, pip_url=url, install_root=install_root)
    source.check()
    source.select_streams(["spaces"])
    records = list(source.get_records("spaces"))
    spaces = sorted(record["key"] for record in records)
    print("RESULT " + json.dumps({"executable": str(source.executor._get_connector_path()), "spaces": spaces}))
""")


def test_pyairbyte_installs_and_runs_the_connector_from_a_git_url(tmp_path, tiny_double):
    clone = tmp_path / "repository"
    # A full clone: uv cannot fetch from a shallow one.
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True)
    cloned = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True, check=True)
    assert cloned.stdout == head.stdout
    env = {**os.environ, "AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1",
           # PyAirbyte installs with uv, which it brings along in this virtualenv's bin.
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"git+file://{clone}", str(tmp_path / "install"), json.dumps(tiny_double.config())],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(lines[-1][len("RESULT "):])
    venv = tmp_path / "install" / ".venv-source-confluence-plus"
    assert result["executable"] == str(venv / "bin" / "source-confluence-plus")
    assert result["spaces"] == sorted(space.key for space in tiny_double.site.spaces.values())
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "from importlib.metadata import distribution as d; m = d('source-confluence-plus'); "
         "print(m.version, m.read_text('direct_url.json'))"],
        capture_output=True, text=True, check=True)
    version, origin = installed.stdout.split(" ", 1)
    assert version == (REPO / "pyproject.toml").read_text().split('version = "', 1)[1].split('"', 1)[0]
    assert json.loads(origin)["url"] == f"file://{clone}"
