"""The test-wiseness checker: each cue picks what a test-wise student would, the statistic is
hit rate against chance with ties split, and ``qbank lint`` flags a deliberately flawed bank."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import cli
from qbank.questions import load_bank
from qbank.questions.quality import CUES, MIN_SETS, STATIC_GROUP, Z, ChoiceSet, choice_sets, cue_stats, distinct, lint_bank, lint_items

FLAWED = Path(__file__).parent / "data" / "flawed-bank.yaml"


def cs(options, key=0, stem="Which one?"):
    return ChoiceSet(stem, tuple(options), frozenset({key} if isinstance(key, int) else key), "single_choice")


@pytest.mark.parametrize(("cue", "options", "stem", "picked"), [
    ("longest", ["short", "a much longer option", "mid length"], "Which?", {1}),
    ("longest", ["same", "same", "same"], "Which?", None),  # no signal when every option ties
    ("shortest", ["short", "a much longer option", "mid length"], "Which?", {0}),
    ("longest", ["$\\frac{1}{2}$ of it", "one half of it"], "Which?", {1}),  # TeX counts as rendered, roughly
    ("most specific", ["It rises.", "It usually rises by 0.3.", "It falls."], "Which?", {1}),
    ("stem overlap", ["The gradient is p - e", "The loss of the gold token", "Nothing"], "What is the loss of the gold token?", {1}),
    ("middle value", ["0.10", "0.50", "0.30"], "Which?", {2}),
    ("middle value", ["0.10", "0.50", "0.30", "0.20"], "Which?", {2, 3}),  # even count: the two middle ones
    ("middle value", ["0.10", "half", "0.30"], "Which?", None),  # not every option is a number
    ("all/none of the above", ["Red", "Blue", "All of the above"], "Which?", {2}),
    ("all/none of the above", ["Red", "Blue", "Green"], "Which?", None),
    ("grammar", ["apple", "banana", "cherry"], "The fruit is an", {0}),
    ("grammar", ["apple", "banana", "cherry"], "The fruit is a", {1, 2}),
    ("grammar", ["apple", "banana"], "Which fruit?", None),
    ("odd form", ["It rises.", "It falls.", "It stays", "It doubles."], "Which?", {2}),
    ("odd form", ["It rises.", "It falls."], "Which?", None),  # two options: no odd one out
])
def test_each_cue_picks_what_a_test_wise_student_would(cue, options, stem, picked):
    assert CUES[cue](cs(options, stem=stem)) == picked


def test_the_statistic_is_the_hit_rate_with_ties_split_against_chance():
    # 20 sets of 4 options; in 10 the key is the unique longest, in 10 it ties with one other for longest
    sets = [cs(["k" * 9, "a", "b", "c"]) for _ in range(10)] + [cs(["k" * 9, "x" * 9, "b", "c"]) for _ in range(10)]
    (stat,) = cue_stats("t", sets, {"longest": CUES["longest"]})
    assert stat.n == 20
    assert stat.hit == pytest.approx((10 * 1 + 10 * 0.5) / 20)
    assert stat.chance == pytest.approx(0.25)
    assert stat.margin == pytest.approx(Z * math.sqrt(20 * 0.25 * 0.75) / 20)  # 0.319: the binomial bound
    assert stat.leak == pytest.approx(0.5) and stat.leaks


def test_a_cue_at_chance_does_not_leak_and_a_small_sample_is_not_judged():
    # the key is the longest option in exactly one set of four: a blind pick's rate
    sets = [cs(["k" * (9 if i % 4 == 0 else 1), "a" * 5, "b" * 3, "c" * 2]) for i in range(40)]
    (stat,) = cue_stats("t", sets, {"longest": CUES["longest"]})
    assert stat.hit == pytest.approx(0.25) and not stat.leaks
    few = [cs(["k" * 9, "a", "b", "c"])] * (MIN_SETS - 1)
    (stat,) = cue_stats("t", few, {"longest": CUES["longest"]})
    assert stat.hit == 1.0 and not stat.judged and not stat.leaks


def test_variants_that_differ_only_in_option_order_count_once():
    a, b = cs(["x", "y", "z"], key=0), cs(["z", "x", "y"], key=1)  # the same question, options reordered
    other = cs(["x", "y", "w"], key=0)
    assert distinct([a, b, other]) == [a, other]
    from qbank.questions import builtin_bank

    fixed = builtin_bank()["paris-states-original"]
    items = fixed.instantiate_many(range(50))
    assert len({tuple(o.text for o in i.options) for i in items}) > 1  # the option order varies...
    (stat, *_) = lint_items({"fixed": items}).stats
    assert stat.n == 1 and not stat.judged  # ...but it is one question


def test_multiple_response_and_matching_are_choice_sets():
    bank = load_bank(FLAWED, builtin=False)
    (single,) = choice_sets(bank["flawed-1"].instantiate(0))
    assert single.kind == "single_choice" and len(single.options) == 4 and single.chance == 0.25
    from qbank.questions import builtin_bank

    item = builtin_bank()["alignment-terms-matching"].instantiate(0)
    sets = choice_sets(item)
    assert [s.kind for s in sets] == ["matching"] * len(item.prompts)
    assert [next(iter(s.key)) for s in sets] == list(item.answer)
    assert all(s.chance == 1 / len(item.choices) for s in sets)
    fixes = builtin_bank()["preamble-fixes"].instantiate(0)
    (mr,) = choice_sets(fixes)
    assert mr.kind == "multiple_response" and mr.chance == len(fixes.key) / len(fixes.options)


def test_the_flawed_sample_bank_is_flagged_for_the_cues_it_has():
    report = lint_bank(load_bank(FLAWED, builtin=False))
    leaking = {s.cue for s in report.leaks}
    assert {"longest", "most specific"} <= leaking
    row = next(s for s in report.leaks if s.cue == "longest")
    assert row.group == STATIC_GROUP and row.hit == 1.0 and row.chance == 0.25


def test_qbank_lint_reports_the_leaks_and_exits_1():
    result = CliRunner().invoke(cli, ["lint", "--no-builtin", "--bank", str(FLAWED)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split() == ["template", "cue", "sets", "hit", "chance", "leak", "margin", "verdict"]
    longest = next(line for line in lines if " longest " in line)
    assert longest.split()[-5:] == ["1.000", "0.250", "+0.750", "0.430", "LEAKS"]
    rows = json.loads(CliRunner().invoke(cli, ["lint", "--no-builtin", "--bank", str(FLAWED), "--json"]).output)
    assert {r["cue"] for r in rows if r["leaks"]} >= {"longest", "most specific"}


def test_qbank_lint_is_quiet_on_the_built_in_bank():
    result = CliRunner().invoke(cli, ["lint", "--seeds", "40"])
    assert (result.exit_code, result.output) == (0, "")


def test_elimination_cues_find_a_key_that_is_never_the_longest():
    from qbank.questions.quality import ELIMINATION_CUES

    # the key is never the longest and never the shortest of four: ruling them out leaves two
    # options (odd i) or the key alone (even i, where two options tie for the shortest)
    sets = [cs(["kk", "a", "bbb", "cc" if i % 2 else "c"], key=0) for i in range(40)]
    forward = {s.cue: s for s in cue_stats("t", sets)}
    assert not forward["longest"].leaks and forward["longest"].hit == 0.0
    back = {s.cue: s for s in cue_stats("t", sets, ELIMINATION_CUES)}
    assert back["not longest"].hit == pytest.approx(1 / 3) and not back["not longest"].leaks  # 0.333 vs 0.25: within the margin
    extreme = back["not an extreme length"]
    assert extreme.hit == pytest.approx((20 * 1 / 2 + 20 * 1) / 40) and extreme.leaks
    result = CliRunner().invoke(cli, ["lint", "--elimination", "--all", "--no-builtin", "--bank", str(FLAWED)])
    assert "not longest" in result.output and "not an extreme length" in result.output
