"""`qbank import` as a user runs it: a bank folder that `qbank validate` accepts, the report
of what was skipped or changed, exit codes 0 and 2."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml
from click.testing import CliRunner

from qbank.cli import cli

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))

MOODLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Unit 1/Cross-entropy</text></category></question>
  <question type="multichoice">
    <name><text>Loss of a one-hot target</text></name>
    <questiontext format="html"><text><![CDATA[<p>See <img src="@@PLUGINFILE@@/plot.png" alt="plot">: what is \\(-\\ln p_c\\)?</p>]]></text>
      <file name="plot.png" path="/" encoding="base64">{base64.b64encode(PNG).decode()}</file></questiontext>
    <defaultgrade>2</defaultgrade>
    <single>true</single>
    <answer fraction="100"><text>the loss</text><feedback><text>Right.</text></feedback></answer>
    <answer fraction="0"><text>the entropy</text><feedback><text>Entropy sums over all tokens.</text></feedback></answer>
  </question>
  <question type="calculated">
    <name><text>Wildcards</text></name>
    <questiontext format="html"><text>What is {{a}} + {{b}}?</text></questiontext>
  </question>
  <question type="coderunner">
    <name><text>Runs code</text></name>
    <questiontext format="html"><text>Write a function.</text></questiontext>
  </question>
</quiz>
"""


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_import_writes_a_valid_bank_with_images_and_tags(tmp_path: Path) -> None:
    src = tmp_path / "export.xml"
    src.write_text(MOODLE, encoding="utf-8")
    out = tmp_path / "bank"
    result = _run("import", str(src), "-o", str(out), "--bloom", "apply")
    assert result.exit_code == 0, result.output
    assert f"{src}:13: Wildcards: skipped: calculated: calculated questions draw wildcard values" in result.stderr
    assert f"{src}:17: Runs code: skipped: coderunner: code runner questions run student code" in result.stderr
    assert result.stderr.endswith(f"1 questions in 1 bank files under {out}; 2 skipped.\n")
    assert result.stdout == ""
    bank = yaml.safe_load((out / "unit-1-cross-entropy.yaml").read_text())
    (template,) = bank["templates"]
    assert template["id"] == "loss-of-a-one-hot-target"
    assert template["tags"] == {"topics": ["unit-1", "cross-entropy"], "bloom": "apply"}
    assert template["points"] == 2
    image = next((out / "media").iterdir())
    assert image.read_bytes() == PNG
    assert template["content"]["stem"] == f"See ![plot](media/{image.name}): what is $-\\ln p_c$?"
    assert "skipped: calculated" in (out / "import-report.txt").read_text()
    validated = _run("validate", str(out))
    assert (validated.exit_code, validated.output) == (0, "")


def test_quiet_import_prints_nothing(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("What is 2+3?\nA. 5\nB. 6\nANSWER: A\n", encoding="utf-8")
    result = _run("import", str(src), "-o", str(tmp_path / "bank"), "-q")
    assert (result.exit_code, result.output) == (0, "")
    assert _run("validate", str(tmp_path / "bank")).exit_code == 0


def test_format_can_be_forced_and_is_then_checked(tmp_path: Path) -> None:
    src = tmp_path / "questions.txt"
    src.write_text("::Q:: What? {=this ~that}\n", encoding="utf-8")
    result = _run("import", str(src), "-o", str(tmp_path / "bank"), "--format", "aiken")
    assert result.exit_code == 2
    assert f"Error: {src}:1: the last question has no ANSWER: line" in result.output
    assert not (tmp_path / "bank").exists()
    result = _run("import", str(src), "-o", str(tmp_path / "bank"), "--format", "gift")
    assert result.exit_code == 0


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = _run("import", str(tmp_path / "nope.xml"), "-o", str(tmp_path / "bank"))
    assert result.exit_code == 2
    assert "nope.xml: no such file" in result.output
