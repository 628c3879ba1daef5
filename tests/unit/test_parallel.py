"""Baselines read in worker processes give exactly what reading them in one process gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracewhy.cli import cli
from tracewhy.parallel import LocalExecutor, split
from tracewhy.rca.baseline import profile_files
from tracewhy.sources import expand_paths


def test_split_keeps_every_item_in_order() -> None:
    items = [str(i) for i in range(10)]
    assert split(items, 3) == [items[0:4], items[4:8], items[8:10]]
    assert [x for part in split(items, 4) for x in part] == items


def _pid_of_each(paths: list[str]) -> list[tuple[str, int]]:
    return [(path, os.getpid()) for path in paths]


def test_the_pool_and_this_process_share_the_batches_and_keep_their_order() -> None:
    paths = [str(i) for i in range(1000)]
    done = LocalExecutor(2).map_paths(_pid_of_each, paths)
    assert [path for path, _ in done] == paths
    assert len({pid for _, pid in done}) <= 2  # this process and one forked worker


def test_worker_processes_give_the_serial_result(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "healthy", "--traces", "300", "--seed", "4",
                                      "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    one_file_per_trace = tmp_path / "split"
    one_file_per_trace.mkdir()
    for line_number, line in enumerate(
            (tmp_path / "run" / "traces.otlp.jsonl").read_bytes().splitlines()):
        (one_file_per_trace / f"{line_number:04d}.json").write_bytes(line)
    files = expand_paths([str(one_file_per_trace)])
    assert len(files) == 300
    serial = LocalExecutor(1).map_paths(profile_files, files)
    pooled = LocalExecutor(2).map_paths(profile_files, files)  # 150 files each: a real pool
    assert len(serial) == 300
    assert pooled == serial


def _refuse_files_named_bad(paths: list[str]) -> list[str]:
    for path in paths:
        if path.startswith("bad"):
            raise ValueError(path)
    return paths


def test_the_first_error_in_path_order_is_raised_as_it_would_be_serially() -> None:
    paths = [str(i) for i in range(1000)]
    paths[100], paths[990] = "bad-100", "bad-990"
    for executor in (LocalExecutor(1), LocalExecutor(2)):
        with pytest.raises(ValueError, match="bad-100"):
            executor.map_paths(_refuse_files_named_bad, paths)
