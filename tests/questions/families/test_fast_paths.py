"""The shortcuts behind fast instantiation give exactly what the plain numpy and pydantic calls give.

Each fast path replaces a costly call with cheaper arithmetic on the same random stream;
these tests compare the two directly, over many seeds, so that a numpy upgrade that changed
one of them would fail here before it changed any variant.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter

from qbank.questions import TokenDistribution
from qbank.questions._model import canonical, canonical_float
from qbank.questions.params import Choice, Dirichlet, LogUniform, ParamSpec, Reject, Remainder, Uniform, largest_remainder
from qbank.questions.template import rng_for, rngs_for


def test_batch_generators_start_in_the_states_of_the_one_by_one_generators():
    seeds = [*range(2000), 10**9, 2**63 - 1, 2**80 + 7]
    batch = rngs_for("token-loss", 3, seeds)
    assert [g.bit_generator.state for g in batch] == [rng_for("token-loss", 3, s).bit_generator.state for s in seeds]
    assert [g.random() for g in rngs_for("x", 1, [5, 6])] == [rng_for("x", 1, s).random() for s in (5, 6)]
    assert rngs_for("x", 1, []) == []


@pytest.mark.parametrize("weights", [(3, 1), (1, 2), (0, 1), (1, 1, 1), (0.2, 0.5, 0.0, 0.3)])
def test_a_weighted_choice_draws_what_generator_choice_draws(weights):
    spec = Choice(options=tuple(range(len(weights))), weights=weights)
    p = [w / sum(weights) for w in weights]
    for seed in range(300):
        fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
        assert [spec.sample(fast) for _ in range(20)] == [int(plain.choice(len(weights), p=p)) for _ in range(20)]
        assert fast.random() == plain.random()  # and the generators are left in the same state


@pytest.mark.parametrize(
    "spec", [Uniform(low=0.1, high=0.9), Uniform(low=-5.0, high=3.5), LogUniform(low=3, high=60000), LogUniform(low=1e-4, high=0.1, decimals=3)]
)
def test_a_uniform_draw_is_what_generator_uniform_draws(spec):
    for seed in range(300):
        fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
        got = [spec.sample(fast) for _ in range(20)]
        if isinstance(spec, Uniform):
            assert got == [float(plain.uniform(spec.low, spec.high)) for _ in range(20)]
        else:
            want = [math.exp(plain.uniform(math.log(spec.low), math.log(spec.high))) for _ in range(20)]
            if spec.decimals is not None:
                d = spec.decimals
                want = [min(max(round(x, d), math.ceil(spec.low * 10**d - 1e-9) / 10**d), math.floor(spec.high * 10**d + 1e-9) / 10**d) for x in want]
            assert got == want
        assert fast.random() == plain.random()


@pytest.mark.parametrize("alpha", [0.3, 0.6, 1.0, 2.0, (1.0, 2.0, 0.5, 1.0)])
def test_a_dirichlet_draws_what_the_plain_numpy_construction_draws(alpha):
    spec = Dirichlet(tokens=("a", "b", "c"), alpha=alpha, remainder=Remainder(low=0.0, high=1.0), min_prob=0.0, distinct=False)
    vector = np.broadcast_to(np.asarray(alpha, dtype=float), (4,))
    for seed in range(300):
        fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
        for _ in range(5):
            got = spec.sample(fast)
            g = plain.standard_gamma(vector)
            p = largest_remainder(g / g.sum(), 2)
            assert got.probs + [got.remainder] == [round(float(v), 2) for v in p]


def test_a_dirichlet_draw_is_the_token_distribution_validation_would_give():
    spec = TypeAdapter(ParamSpec).validate_python(
        {"dist": "dirichlet", "tokens": ["Je", "J'", "Le"], "alpha": 0.6, "decimals": 3,
         "remainder": {"label": "(rest)", "low": 0.1, "high": 0.5}}
    )
    rng = np.random.default_rng(0)
    seen = 0
    for _ in range(2000):
        try:
            d = spec.sample(rng)
        except Reject:
            continue
        seen += 1
        again = TokenDistribution.model_validate(d.model_dump())
        assert again == d and again.model_dump() == d.model_dump() and again.model_fields_set == d.model_fields_set
    assert seen > 100


@pytest.mark.parametrize(
    "value",
    [0.1 + 0.2, 1 / 3, -2.5e-7, 123456.789012345678, 0.0, -0.0, float("inf"), float("nan"), np.float64(1 / 7), 5, True, "x"],
)
def test_canonical_gives_the_same_value_every_time(value):
    first, second = canonical({"v": [value]}), canonical({"v": [value]})
    assert repr(first) == repr(second)
    if isinstance(value, float) and value == value and value not in (0.0, float("inf")):
        assert first["v"][0] == float(f"{value:.12g}")
    assert type(canonical_float(np.float64(0.25))) is float


@pytest.mark.parametrize(
    "spec",
    [
        Dirichlet(tokens=("Paris", "London", "The"), alpha=1.0, remainder=Remainder(low=0.3, high=0.8)),
        Dirichlet(tokens=("a", "b", "c", "d", "e", "f"), alpha=0.6, min_prob=0.02, decimals=2),
        Dirichlet(tokens=("a", "b", "c", "d"), alpha=(1.0, 2.0, 0.5, 1.0), decimals=1),  # ties are frequent at 1 decimal
        Choice(options=("nats", "bits"), weights=(3, 1)),
        Choice(options=(0.1, 0.5, 1.0, 2.0)),
        LogUniform(low=3, high=60000, decimals=0),
    ],
    ids=["remainder-range", "min-prob", "ties", "weighted-choice", "choice", "loguniform"],
)
@pytest.mark.parametrize("size", [500, 7, 5, 1])  # a few generators are drawn one by one
def test_drawing_a_batch_gives_each_generator_its_one_by_one_draw(spec, size):
    from qbank.questions.params import sample_many

    def one(rng):
        try:
            return spec.sample(rng)
        except Reject as r:
            return ("reject", r.reason)

    def shown(v):
        return ("reject", v.reason) if isinstance(v, Reject) else v

    fast, plain = rngs_for("t", 1, range(size)), rngs_for("t", 1, range(size))
    for _ in range(4):
        assert [shown(v) for v in sample_many(spec, fast)] == [one(rng) for rng in plain]
    assert [g.random() for g in fast] == [g.random() for g in plain]


def test_a_batch_that_runs_out_of_draws_fails_as_the_first_failing_seed_would():
    from qbank.errors import ConstraintError
    from qbank.questions import Template

    template = Template.model_validate({
        "id": "tight", "title": "Tight", "family": "compare-states", "max_draws": 3,
        "tags": {"topics": ["cross-entropy"], "bloom": "analyze"},
    })
    seeds = range(40)
    first_error = None
    for s in seeds:
        try:
            template.instantiate(s)
        except ConstraintError as exc:
            first_error = str(exc)
            break
    assert first_error is not None
    with pytest.raises(ConstraintError) as info:
        template.instantiate_many(seeds)
    assert str(info.value) == first_error


@pytest.mark.parametrize("decimals", range(1, 7))
def test_a_dirichlet_draws_probabilities_that_rounding_leaves_as_they_are(decimals):
    """Drawn probabilities are k / 10**decimals (whole units divided once); the distribution
    stores them without rounding them again, which is exact for every k."""
    scale = 10**decimals
    assert all(round(k / scale, decimals) == k / scale for k in range(scale + 1))


PLAIN = [
    {"a": 1, "b": [0.1 + 0.2, True, None, "x"], "c": {"d": -0.0, "e": 1 / 3}},
    {"probs": {"tokens": {"x": 0.25}, "remainder": 0.75}, "n": 10**20, "nan": float("nan")},
]
NOT_PLAIN = [{"a": (1, 2)}, {"a": np.float64(0.5)}, {1: "x"}, {"a": [np.arange(2)]}, {"a": {"b": 1.5j}}]


@pytest.mark.parametrize(("data", "plain"), [(d, True) for d in PLAIN] + [(d, False) for d in NOT_PLAIN])
def test_plain_data_is_canonicalised_as_the_item_data_field_validates_it(data, plain):
    """Anything but exactly JSON's types is refused (the item is then validated in full)."""
    from qbank.questions._model import NotPlainJson, canonical_plain
    from qbank.questions.items import SingleChoiceItem

    adapter = TypeAdapter(SingleChoiceItem.model_fields["data"].annotation)
    if not plain:
        with pytest.raises(NotPlainJson):
            canonical_plain(data)
        return
    got = canonical_plain(data)
    want = canonical(adapter.validate_python(data))
    assert repr(got) == repr(want) and [type(v) for v in got.values()] == [type(v) for v in want.values()]


def test_picking_one_of_a_list_draws_what_generator_choice_draws():
    from qbank.questions.families._common import pick

    for seed in range(2000):
        for values in ([7], [3, 5], [0, 2, 4, 6, 7], list(range(8))):
            fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
            assert [pick(fast, values) for _ in range(3)] == [int(plain.choice(np.array(values))) for _ in range(3)]
            assert fast.random() == plain.random()


@pytest.mark.parametrize("n", range(0, 12))
def test_a_short_sum_is_numpys_sum(n):
    from qbank.questions.families._common import numpy_sum

    rng = np.random.default_rng(n)
    for _ in range(2000):
        values = (np.round(rng.random(n), 2) if rng.random() < 0.5 else rng.random(n) * 10.0 ** rng.integers(-4, 4)).tolist()
        assert numpy_sum(values) == float(np.sum(np.array(values, dtype=float)))


def test_percent_formatting_gives_the_format_spec_texts():
    """canonical_float and fmt format with %-formatting: the same texts as f"{x:.12g}" and f"{x:.3f}"."""
    from qbank.questions.families._common import fmt

    rng = np.random.default_rng(0)
    xs = np.concatenate([rng.random(20000) * 10.0 ** rng.integers(-12, 12, 20000), np.round(rng.random(5000), 3) - 0.5]).tolist()
    for x in xs + [0.0, -0.0, 1e300, -1e-300, 5e-324, np.float64(0.125)]:
        assert canonical_float(x) == float(f"{x:.12g}")
        for d in (0, 2, 3, 4, 6):
            s = f"{x:.{d}f}"
            assert fmt(x, d) == (s[1:] if s[0] == "-" and float(s) == 0 else s)


def test_a_shuffled_list_is_generator_permutations_order():
    from qbank.questions.families._common import permutation

    for seed in range(2000):
        for n in (1, 2, 3, 4, 5, 8, 13):
            fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
            assert permutation(fast, n) == plain.permutation(n).tolist()
            assert fast.random() == plain.random()  # and the generators are left in the same state


@pytest.mark.parametrize("route", ["direct", "plain"])
@pytest.mark.parametrize("bounds", [[5], [2, 3, 4, 3, 2], [1, 7, 1, 1, 9], [1], [], [2**31 + 1, 3 * 2**30, 2**32 - 1, 6] * 4])
def test_bounded_integers_draw_what_generator_integers_draws(bounds, route, monkeypatch):
    from qbank.questions import _draws
    from qbank.questions._draws import bounded_integers

    if route == "plain":  # the route taken where the bit generator's own function cannot be reached
        monkeypatch.setattr(_draws, "_SOURCE", [_draws._plain])
    else:
        assert _draws._word_source() is _draws._direct  # this machine takes the fast route
    # the large bounds reject many words (about one in four at 3 * 2**30): the retry path runs
    for seed in range(500):
        fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
        assert bounded_integers(fast, bounds) == [int(plain.integers(b)) for b in bounds]
        assert fast.random() == plain.random()
        assert fast.integers(7) == plain.integers(7)  # the generators' 32-bit word buffers agree too


@pytest.mark.parametrize("n,k", [(2, 1), (3, 2), (4, 3), (5, 3), (6, 3), (7, 5), (5, 5), (1, 1), (31, 4), (40, 12), (12000, 3), (4, 0)])
def test_a_pick_without_replacement_is_generator_choices_pick(n, k):
    from qbank.questions.families._common import choice_without_replacement

    for seed in range(1500):
        fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
        assert choice_without_replacement(fast, n, k) == plain.choice(n, k, replace=False).tolist()
        assert fast.random() == plain.random()
        assert fast.integers(7) == plain.integers(7)


def test_unweighted_choices_in_a_row_draw_what_they_draw_one_by_one():
    from qbank.questions import Template

    # nucleus draws its distribution, then three unweighted choices in a row (drawn with one
    # call per seed in a batch); here with a one-option choice (no draw) and a weighted one between
    template = Template.model_validate({
        "id": "runs", "title": "Runs", "family": "nucleus",
        "tags": {"topics": ["top-p"], "bloom": "apply"},
        "params": {"top_p": {"dist": "choice", "options": [0.5, 0.9]}, "k": {"dist": "choice", "options": [2]},
                   "form": {"dist": "choice", "options": ["set", "top_p_prob", "top_k_prob"], "weights": [1, 1, 1]}},
    })
    seeds = range(300)
    assert [i.content_hash() for i in template.instantiate_many(seeds)] == [template.instantiate(s).content_hash() for s in seeds]


@pytest.mark.parametrize("tid", ["token-loss", "nucleus", "label-smoothing", "logit-gradient", "next-step-statements",
                                 "temperature", "paris-states"])
def test_remembered_param_values_give_what_validation_gives(tid):
    from qbank.questions import builtin_bank
    from qbank.questions.template import _known_params, rng_for

    template = builtin_bank()[tid]
    fam = template.get_family()
    specs = template.specs()
    template.instantiate_many(range(50))  # the values seen so far are remembered
    checked = 0
    for seed in range(400):
        rng = rng_for(template.id, template.version, seed)
        try:
            values = {name: spec.sample(rng) for name, spec in specs.items()}
        except Reject:
            continue
        validated = fam.params.model_validate(values)
        known = _known_params(fam.params, values)
        if known is not None:
            checked += 1
            assert known == validated
            assert known.model_fields_set == validated.model_fields_set
            assert list(known.__dict__) == list(validated.__dict__)
            assert [type(v) for v in known.__dict__.values()] == [type(v) for v in validated.__dict__.values()]
    assert checked > 20


def test_an_invalid_drawn_value_is_reported_after_valid_ones_were_remembered():
    from qbank.errors import InputError
    from qbank.questions import Template

    template = Template.model_validate({
        "id": "bad-unit", "title": "Bad unit", "family": "token-loss",
        "tags": {"topics": ["cross-entropy"], "bloom": "apply"},
        "params": {"unit": {"dist": "choice", "options": ["nats", "bits", "bytes"]}},
    })
    with pytest.raises(InputError, match="params.unit") as one:
        [template.instantiate(s) for s in range(200)]
    with pytest.raises(InputError, match="params.unit") as batch:
        template.instantiate_many(range(200))
    assert str(one.value) == str(batch.value)
