"""Moodle XML specifics: cloze written by other tools, categories, ids, units, wildcards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qbank.importers import import_files


def _import(tmp_path: Path, body: str) -> Any:
    path = tmp_path / "q.xml"
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{body}\n</quiz>\n', encoding="utf-8")
    return import_files([path])


def test_a_cloze_question_from_another_tool_becomes_a_multipart_item(tmp_path: Path) -> None:
    text = ("<![CDATA[<p>{2:SHORTANSWER:=Paris~%0%Lyon#Not the capital} is the capital of "
            "{1:MULTICHOICE:=France~Spain#No}; \\(\\pi\\) is {1:NUMERICAL:=3.14:0.01}.</p>]]>")
    result = _import(tmp_path, f'<question type="cloze"><name><text>Cloze</text></name>'
                               f'<questiontext format="html"><text>{text}</text></questiontext></question>')
    content = result.questions[0].content
    assert content["stem"] == "[g1] is the capital of [g2]; $\\pi$ is [g3]."
    short, choice, number = content["parts"]
    assert (short["type"], short["answers"], short["weight"]) == ("short_text", ["Paris"], 2)
    assert short["distractors"] == [{"text": "Lyon", "misconception": "M-IMPORTED", "feedback": "Not the capital"}]
    assert [(o["text"], o["correct"]) for o in choice["options"]] == [("France", True), ("Spain", False)]
    assert (number["answer"], number["tolerance"]) == (3.14, {"absolute": 0.01})


def test_categories_ids_tags_units_and_points(tmp_path: Path) -> None:
    result = _import(tmp_path, """
<question type="category"><category><text>$course$/top/Unit 1/Loss//Gain</text></category></question>
<question type="numerical"><name><text>Perplexity</text></name><idnumber>ppl-1</idnumber>
  <questiontext format="plain_text"><text>Perplexity of a 4-way uniform guess?</text></questiontext>
  <defaultgrade>3</defaultgrade>
  <answer fraction="100"><text>4</text><tolerance>0.05</tolerance></answer>
  <units><unit><multiplier>1</multiplier><unit_name>tokens</unit_name></unit></units>
  <tags><tag><text>perplexity</text></tag></tags>
</question>""")
    q = result.questions[0]
    assert (q.id, q.title, q.points, q.category, q.keywords) == ("ppl-1", "Perplexity", 3.0, ("Unit 1", "Loss/Gain"), ("perplexity",))
    assert q.content == {"type": "numeric", "stem": "Perplexity of a 4-way uniform guess?", "answer": 4.0,
                         "tolerance": {"absolute": 0.05}, "unit": "tokens"}


def test_a_wildcard_key_or_two_numeric_keys_skip_the_question_with_the_reason(tmp_path: Path) -> None:
    result = _import(tmp_path, """
<question type="shortanswer"><name><text>Wild</text></name><questiontext><text>Name it</text></questiontext>
  <answer fraction="100"><text>soft*max</text></answer></question>
<question type="numerical"><name><text>Two keys</text></name><questiontext><text>x?</text></questiontext>
  <answer fraction="100"><text>1</text><tolerance>0</tolerance></answer>
  <answer fraction="100"><text>2</text><tolerance>0</tolerance></answer></question>
<question type="multichoiceset"><name><text>All or nothing</text></name><questiontext><text>Pick</text></questiontext>
  <answer fraction="50"><text>a</text></answer><answer fraction="50"><text>b</text></answer>
  <answer fraction="0"><text>c</text></answer></question>""")
    assert [str(s).split(": ", 1)[1] for s in result.skipped] == [
        "Wild: skipped: shortanswer: the accepted answer 'soft*max' uses the * wildcard; qbank compares whole answers",
        "Two keys: skipped: numerical: two different answers earn 100% (1 and 2); a qbank numeric question has one key",
    ]
    (mr,) = result.questions
    assert (mr.content["type"], mr.content["scoring"]) == ("multiple_response", "all_or_nothing")


def test_the_same_name_in_two_files_is_two_questions(tmp_path: Path) -> None:
    one = '<question type="truefalse"><name><text>Q</text></name><questiontext><text>{}</text></questiontext>' \
          '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>'
    paths = []
    for folder, stem in (("a", "unit"), ("b", "unit"), ("c", "other")):
        (tmp_path / folder).mkdir()
        path = tmp_path / folder / f"{stem}.xml"
        path.write_text(f"<quiz>{one.format(folder)}</quiz>", encoding="utf-8")
        paths.append(path)
    from qbank.importers import bank_files

    files = bank_files(import_files(paths))
    ids = [t["id"] for ts in files.values() for t in ts]
    assert sorted(ids) == ["q", "q-other", "q-unit"]


def test_an_essay_word_limit_is_kept_when_it_is_a_number_and_left_out_when_not(tmp_path: Path) -> None:
    def essay(limit: str) -> dict[str, Any]:
        return _import(tmp_path, f'<question type="essay"><name><text>Why</text></name>'
                                 f'<questiontext format="plain_text"><text>Why does the loss fall?</text></questiontext>'
                                 f'<minwordlimit>{limit}</minwordlimit></question>').questions[0].content

    assert essay("50")["min_words"] == 50
    assert "min_words" not in essay("²")  # a digit to str.isdigit, not a number to int()
    assert "min_words" not in essay("fifty")
