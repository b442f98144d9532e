"""Tying a report's texts to variants: words and numbers decide, nothing is guessed."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from qbank.results import VariantIndex
from qbank.results.variants import words


@dataclass
class Option:
    text: str
    correct: bool = False


def index(**items: SimpleNamespace) -> VariantIndex:
    groups = {}
    for item_id, item in items.items():
        groups.setdefault(item.group, []).append(SimpleNamespace(item=item_id, slot="q1", points=1.0))
    return VariantIndex(SimpleNamespace(groups=groups, quiz_id="quiz"), items)


def mc(stem: str, *options: str, group: str = "g", kind: str = "single_choice") -> SimpleNamespace:
    return SimpleNamespace(stem=stem, options=[Option(o) for o in options], type=kind, group=group)


@pytest.mark.parametrize(("a", "b"), [
    ("<p>The loss is <code>0.37</code>&nbsp;nats.</p>", "The loss is 0.37 nats."),  # markup and entities
    ("What is   p(Paris)?", "what is p ( paris ) ?"),                             # spacing and case
    (r"\(-\ln 0.34 = 1.0788\)", "-ln 0.34 = 1.0788"),                              # TeX delimiters
])
def test_words_ignore_form_but_not_content(a: str, b: str) -> None:
    assert words(a) == words(b)


def test_words_keep_every_number() -> None:
    assert words("p = 0.34") != words("p = 0.43")
    assert words("p = 0.34") != words("p = 0.3")
    assert words("g = -0.85") != words("g = 0.85")   # the sign counts
    assert words("g = \u22120.85") == words("g = -0.85")  # whichever minus the LMS writes
    assert words("0.34") != words("0 34")
    assert words("a-b state-A") == ("a", "b", "state", "a")


def test_a_text_shared_by_two_variants_is_not_guessed() -> None:
    ix = index(a=mc("Pick one.", "x", "y"), b=mc("Pick one.", "y", "x"), c=mc("Pick two.", "x", "y"))
    assert sorted(ix.by_text("Pick one.")[0]) == ["a", "b"]
    assert ix.by_text("Pick two.")[0] == ["c"]
    assert ix.by_text("Pick three.") == ([], "the question text matches no variant of this quiz")


def test_a_moodle_summary_names_the_variant_whatever_the_order_of_its_choices() -> None:
    ix = index(a=mc("Which loss?", "0.37", "0.99", "1.2"), b=mc("Which loss?", "0.37", "0.98", "1.2"))
    assert ix.by_summary("Which loss?: 1.2; 0.37; 0.99") == ["a"]
    assert ix.by_summary("Which loss?: 1.2; 0.37; 0.98") == ["b"]
    assert ix.by_summary("Which loss?: 1.2; 0.37") == []  # a choice missing: not this variant


@pytest.mark.parametrize(("shown", "letters"), [
    ("Lower loss, higher probability", "A"),                        # a comma inside an option's text
    ("Lower loss\\, higher probability,Equal", "A,C"),              # Canvas: joined by ',', inner ',' as '\\,'
    ("Equal; Lower loss, higher probability", "A,C"),               # Moodle: joined by '; ', in any order
    ("Lower loss", "B"),                                            # a text that begins another option's
    ("Higher loss", None),                                          # none of the options
])
def test_chosen_texts_become_letters(shown: str, letters: str | None) -> None:
    ix = index(a=mc("Q", "Lower loss, higher probability", "Lower loss", "Equal", kind="multiple_response"))
    assert ix.choice_letters("a", shown) == letters


def test_a_single_choice_answer_is_one_option() -> None:
    ix = index(a=mc("Q", "Yes", "No"))
    assert ix.choice_letters("a", "No") == "B"
    assert ix.choice_letters("a", "Yes, No") is None
    assert ix.response("a", "Maybe") == "Maybe"  # passed on: the grader reports it as a format error


def test_texts_that_two_sets_of_options_make_up_are_not_guessed() -> None:
    ix = index(a=mc("Q", "x", "y", "x y", kind="multiple_response"))
    assert ix.choice_letters("a", "x y") is None  # C alone, or A and B?
    assert ix.choice_letters("a", "y, x y") is None
    assert ix.choice_letters("a", "y") == "B"


def test_canvas_escapes_are_undone_when_a_cell_is_split() -> None:
    from qbank.results.structured import split_escaped

    assert split_escaped(r"a\, b,c", ",") == ["a, b", "c"]
    assert split_escaped(r"x \=> y=>z", "=>") == ["x => y", "z"]


def test_canvas_dropdowns_and_blanks_become_one_answer_per_part() -> None:
    from qbank.results.structured import canvas_structured

    dropdowns = SimpleNamespace(type="multipart", parts=[
        SimpleNamespace(label="a", type="single_choice", options=[Option("lower"), Option("higher")]),
        SimpleNamespace(label="b", type="true_false")])
    assert canvas_structured(dropdowns, "higher,False") == "a: B\nb: False"
    blanks = SimpleNamespace(type="multipart", parts=[SimpleNamespace(label="x", type="short_text"),
                                                      SimpleNamespace(label="y", type="short_text")])
    assert canvas_structured(blanks, r"teacher forcing,exposure\, bias") == "x: teacher forcing\ny: exposure, bias"
    # a blank left empty is dropped from Canvas's cell: the rest cannot be placed, so nothing is guessed
    assert canvas_structured(blanks, "teacher forcing") == "teacher forcing"
