"""Every sub-command reports user errors in one line with exit code 1."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from framing.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["corpus", "info", "no-such-corpus"], "no corpus"),
        (
            ["classify", "train", "gvfc", "--labels", "/no/labels.csv", "--out", "m"],
            "no such file",
        ),
        (["topics", "fit", "no-such-corpus", "--k", "3", "--no-progress"], "error"),
        (["classify", "evaluate", "gvfc", "--labels", "/no/l.csv"], "no such file"),
        (["classify", "train", "gvfc", "--out", "m"], "--weak-labels LEXICON"),
        (
            ["classify", "evaluate", "gvfc", "--weak-labels", "no-such-lexicon"],
            "no built-in lexicon",
        ),
    ],
)
def test_user_errors_are_one_line_without_traceback(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.realdata
def test_an_unknown_frame_lists_the_frames(real_corpus):
    real_corpus("us-gov-2022")
    result = runner.invoke(
        app, ["stats", "rates", "us-gov-2022", "--frame", "nope", "--voice", "own"]
    )
    assert result.exit_code == 1
    assert "special-military-operation" in result.output
    assert "Traceback" not in result.output
