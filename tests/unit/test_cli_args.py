"""The jobs' command lines under AWS Glue: Glue's own arguments are ignored, anything else unknown is refused."""

from __future__ import annotations

import pytest

from jobs.scan import parse_args


def test_glue_run_arguments_are_ignored() -> None:
    # What a Glue 5.0 run hands the script: its own parameters and ours, all as --key value.
    argv = [
        "--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", "--JOB_NAME", "piiscan-scan",
        "--job-bookmark-option", "job-bookmark-disable", "--TempDir", "s3://tmp/glue/",
        "--additional-python-modules", "s3://artifacts/piiscan-0.1-py3-none-any.whl",
        "--extra-jars", "s3://artifacts/postgresql.jar", "--enable-metrics", "true", "--job-language", "python",
        "--source", "s3://data/raw/", "--output", "s3://findings/piiscan", "--config", "scan.yaml",
    ]  # fmt: skip
    args = parse_args(argv)
    assert (args.source, args.output, args.config, args.full_rescan) == (
        ["s3://data/raw/"],
        "s3://findings/piiscan",
        "scan.yaml",
        False,
    )


def test_an_unknown_argument_is_still_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(["--source", "s3://data/", "--output", "s3://findings/", "--full-sacn"])
    assert exited.value.code == 2
    assert "unrecognised arguments: --full-sacn" in capsys.readouterr().err
