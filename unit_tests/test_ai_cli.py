"""The chunk options on the command line: flags over the config file's `chunking`, over the defaults;
bad values refused naming the setting; `search` and `chunks` say what is missing instead of failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ai.cli import chunk_settings
from pipeline.ai.splitting import ChunkSettings
from pipeline.cli import _parser, main


def _args(*flags: str):
    return _parser().parse_args(["run", "--config", "c.json", *flags])


def test_flags_win_over_the_config_which_wins_over_the_defaults() -> None:
    assert chunk_settings(_args(), {}) == ChunkSettings(512, 64)
    assert chunk_settings(_args(), {"chunking": {"max_tokens": 800}}) == ChunkSettings(800, 64)
    assert chunk_settings(_args("--chunk-overlap", "10"), {"chunking": {"max_tokens": 800, "overlap_tokens": 80}}) \
        == ChunkSettings(800, 10)
    assert chunk_settings(_args("--chunk-tokens", "256"), {"chunking": {"max_tokens": 800}}) == ChunkSettings(256, 64)


@pytest.mark.parametrize(("flags", "config", "named"), [
    (("--chunk-tokens", "10"), {}, "max_tokens"),
    ((), {"chunking": {"overlap_tokens": 400}}, "overlap_tokens"),
    ((), {"chunking": {"size": 3}}, "'chunking' must be an object"),
    ((), {"chunking": 512}, "'chunking' must be an object"),
])
def test_bad_chunk_settings_name_the_setting(flags: tuple[str, ...], config: dict, named: str) -> None:
    with pytest.raises(SystemExit, match=named):
        chunk_settings(_args(*flags), config)


def test_search_and_chunks_on_a_file_without_them_say_what_to_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "none.duckdb"
    assert main(["search", "vendor", "--duckdb", str(missing), "--user", "u1"]) == 1
    assert "does not exist" in capsys.readouterr().out
    import duckdb

    duckdb.connect(str(missing)).close()
    assert main(["chunks", "--duckdb", str(missing)]) == 1
    assert "build the dbt project first" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="--limit"):
        main(["search", "vendor", "--duckdb", str(missing), "--user", "u1", "--limit", "0"])


def test_chunks_on_postgres_read_the_dbt_connection_variables(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture) -> None:
    # Nothing listens on port 1: the failure names where it tried and what to set, never the password.
    monkeypatch.setenv("CONFLUENCE_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("CONFLUENCE_PG_PORT", "1")
    monkeypatch.setenv("CONFLUENCE_PG_PASSWORD", "pw-kept-out-of-output")
    monkeypatch.setenv("CONFLUENCE_PG_DBNAME", "warehouse_db")
    assert main(["chunks", "--postgres"]) == 1
    out = capsys.readouterr().out
    assert "Cannot connect to PostgreSQL at 127.0.0.1:1, database 'warehouse_db'" in out and "CONFLUENCE_PG_HOST" in out
    assert "pw-kept-out-of-output" not in out
