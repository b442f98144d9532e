"""Templates: what the bank stores, and how a seed turns one into an Item.

``Template.instantiate(seed)`` is a pure function of (template id, version, seed): the
generator is seeded from a BLAKE2b hash of the three, never from Python's ``hash()`` or
global random state, so a variant is the same on every machine and in every process.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property, lru_cache, partial
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError, model_validator

from ..errors import ConstraintError, InputError
from . import _model
from ._model import Frozen, Identifier, NotPlainJson, assembled, canonical_float, canonical_plain
from .constraints import Constraint
from .items import ITEM_TYPES, Content, ItemContent, canonical_json, item_id
from .params import Distribution, ParamSpec, Reject
from .tags import Difficulty, Tags

if TYPE_CHECKING:
    import numpy as np

    from .families import Family

__all__ = ["Template", "rng_for", "rngs_for", "render_text"]


def _seed_int(template_id: str, version: int, seed: int) -> int:
    digest = hashlib.blake2b(f"qbank\x00{template_id}\x00{version}\x00{seed}".encode(), digest_size=16).digest()
    return int.from_bytes(digest, "little")


def rng_for(template_id: str, version: int, seed: int) -> np.random.Generator:
    """The generator for one variant, derived from (template id, version, seed)."""
    import numpy as np

    return np.random.default_rng(_seed_int(template_id, version, seed))


def rngs_for(template_id: str, version: int, seeds: Sequence[int]) -> list[np.random.Generator]:
    """:func:`rng_for` for many seeds at once: generators in exactly the same states.

    ``default_rng(n)`` spends most of its time in ``SeedSequence(n)``, which hashes the
    128-bit seed into PCG64's initial state with 32-bit multiply-xorshift rounds. This runs
    those rounds for the whole batch with numpy (the constants and steps of numpy's
    ``SeedSequence``: ``mix_entropy`` on a pool of 4 words, then ``generate_state(4, uint64)``)
    and hands each PCG64 its state words, about six times cheaper per seed. A test compares
    the generators' states with :func:`rng_for`'s over thousands of seeds.
    """
    import numpy as np

    words_seq = _words_seq()
    ints = [_seed_int(template_id, version, s) for s in seeds]
    if not ints:
        return []
    m32 = np.uint64(_MASK32)
    shift = np.uint64(16)
    pool = [np.array([(n >> (32 * k)) & _MASK32 for n in ints], dtype=np.uint64) for k in range(4)]
    hash_const = _INIT_A

    def hashmix(v: np.ndarray) -> np.ndarray:
        nonlocal hash_const
        v = v ^ np.uint64(hash_const)
        hash_const = (hash_const * _MULT_A) & _MASK32
        v = (v * np.uint64(hash_const)) & m32
        return v ^ (v >> shift)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = (np.uint64(_MIX_MULT_L) * x - np.uint64(_MIX_MULT_R) * y) & m32
        return r ^ (r >> shift)

    mixer = [hashmix(w) for w in pool]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                mixer[dst] = mix(mixer[dst], hashmix(mixer[src]))
    words = np.empty((len(ints), 8), dtype=np.uint32)
    hash_const = _INIT_B
    for i in range(8):
        v = mixer[i % 4] ^ np.uint64(hash_const)
        hash_const = (hash_const * _MULT_B) & _MASK32
        v = (v * np.uint64(hash_const)) & m32
        words[:, i] = v ^ (v >> shift)
    state = words.view(np.uint64)
    return [np.random.Generator(np.random.PCG64(words_seq(row))) for row in state]


@lru_cache(maxsize=1)
def _words_seq() -> Any:
    """A seed sequence holding the state words SeedSequence would generate (PCG64 asks for 4 uint64)."""
    import numpy as np
    from numpy.random.bit_generator import ISeedSequence

    class Words(ISeedSequence):
        __slots__ = ("words",)

        def __init__(self, words: np.ndarray):
            self.words = words

        def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
            return self.words

    return Words


# numpy's SeedSequence constants (numpy/random/bit_generator.pyx), for rngs_for
_MASK32 = 0xFFFFFFFF
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715


@lru_cache(maxsize=1)
def _sandbox() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # Bank text is authored outside the package: sandboxed, and a missing name is an error.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


@lru_cache(maxsize=512)
def _compile(source: str) -> Any:
    return _sandbox().from_string(source)


def render_text(source: str, context: dict[str, Any]) -> str:
    """Render bank-authored text with jinja2's sandbox; raises jinja2 errors unchanged."""
    return str(_compile(source).render(**context))


class Template(Frozen):
    """A question family plus the distributions of its parameters, or a static item.

    A template with a ``family`` draws parameters and lets the family build the content;
    a template with ``content`` is a static item whose every variant is the same.
    """

    id: Identifier
    version: int = Field(default=1, ge=1)
    title: str = Field(min_length=1)
    family: str | None = Field(default=None, description="Question family; omit for a static item.")
    tags: Tags
    points: float = Field(default=1.0, gt=0)
    difficulty: Difficulty | None = None
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    constraints: tuple[Constraint, ...] = ()
    stem: str | None = Field(default=None, description="Replaces the family's stem; jinja2, sandboxed.")
    content: ItemContent | None = Field(default=None, description="The question itself, for a static item.")
    max_draws: int = Field(default=1000, ge=1, le=100_000)

    @model_validator(mode="after")
    def _family_or_content(self) -> Template:
        if (self.family is None) == (self.content is None):
            raise ValueError("give either a family (a parameterized template) or content (a static item)")
        if self.content is not None and (self.params or self.constraints):
            raise ValueError("a static item takes no params or constraints")
        if self.stem is not None:
            from jinja2 import TemplateSyntaxError

            try:
                _compile(self.stem)
            except TemplateSyntaxError as exc:
                raise ValueError(f"stem template, line {exc.lineno}: {exc.message}") from None
        return self

    # -- checks that need the family (made when a bank is loaded) -----------------------

    def get_family(self) -> Family | None:
        if self.family is None:
            return None
        from .families import get_family

        return get_family(self.family)

    def specs(self) -> dict[str, Distribution]:
        """Every parameter's distribution: this template's override, else the family default."""
        fam = self.get_family()
        if fam is None:
            return {}
        defaults = fam.default_specs()
        unknown = sorted(set(self.params) - set(defaults))
        if unknown:
            raise InputError(
                f"template {self.id}: unknown parameter {unknown[0]!r} for family {fam.name} "
                f"(its parameters: {', '.join(defaults)})"
            )
        specs = {name: self.params.get(name, spec) for name, spec in defaults.items()}
        missing = [name for name, spec in specs.items() if spec is None]
        if missing:
            raise InputError(f"template {self.id}: family {fam.name} needs parameter {missing[0]!r}")
        return specs  # type: ignore[return-value]

    # -- instantiation -------------------------------------------------------------------

    def instantiate(self, seed: int) -> Any:
        """The variant for ``seed``: a fully computed Item."""
        if seed < 0:
            raise InputError(f"seed must be a non-negative integer, got {seed}")
        if self.content is not None:
            return self._static_variant(seed)[0]
        fam = self.get_family()
        assert fam is not None  # narrowed by the validator above
        specs = self.specs()
        rng = rng_for(self.id, self.version, seed)
        reasons: Counter[str] = Counter()
        for _ in range(self.max_draws):
            try:
                content, data = self._draw(fam, specs, rng)
                break
            except Reject as r:
                reasons[r.reason] += 1
        else:
            reason, count = reasons.most_common(1)[0]
            raise ConstraintError(
                f"template {self.id} (seed {seed}): no draw met the constraints in {self.max_draws} tries; "
                f"most often: {reason} ({count} times)"
            )
        if self.stem is not None:
            content = content.model_copy(update={"stem": self._render_stem(data)})
        return self._item(content, seed, data)

    def variant(self, seed: int) -> tuple[Any, str]:
        """:meth:`instantiate` and the item's :meth:`content_hash`, which a build records for
        every item it draws (a static item's is computed from parts it shares with every seed)."""
        if self.content is not None:
            if seed < 0:
                raise InputError(f"seed must be a non-negative integer, got {seed}")
            return self._static_variant(seed)
        item = self.instantiate(seed)
        return item, item.content_hash()

    def _static_variant(self, seed: int) -> tuple[Any, str]:
        """A static item's variant: its every variant is the same item but for ``id`` and
        ``seed``, so one validated item is copied with those two changed, and its content
        hash is the canonical JSON with just their two values written in (the same bytes
        :meth:`~qbank.questions.items._ItemBase.content_hash` hashes)."""
        proto, before_id, before_seed, after_seed = self._static_parts
        item_key = item_id(self.id, self.version, seed)
        # proto.model_copy(update=...) without the copy module's round (a build copies every static item twice)
        values = proto.__dict__.copy()
        values["id"] = item_key
        values["seed"] = seed
        item = assembled(type(proto), values, proto.__pydantic_fields_set__ | {"id", "seed"})
        if not before_id:  # the JSON could not be cut (see _static_parts)
            return item, item.content_hash()
        blob = f"{before_id}{_json_string(item_key)}{before_seed}{seed}{after_seed}"
        return item, hashlib.sha256(blob.encode()).hexdigest()

    @cached_property
    def _static_parts(self) -> tuple[Any, str, str, str]:
        """The validated item of seed 0 and its canonical JSON cut around the values of ``id``
        and ``seed`` (sorted keys put both at fixed places, ``id`` before ``seed``): the JSON
        is written once with a marker in each place and cut at the markers."""
        proto = self._item(self.content, 0, {})
        fields = proto.model_dump(mode="json")
        text = canonical_json({**fields, "id": _ID_MARK, "seed": _SEED_MARK})
        id_at, seed_at = f'"id":{json.dumps(_ID_MARK)}', f',"seed":{json.dumps(_SEED_MARK)}'
        if text.count(id_at) != 1 or text.count(seed_at) != 1:
            return proto, "", "", ""  # a text holds a marker: hash each variant whole
        before_id, _, rest = text.partition(id_at)
        middle, _, after_seed = rest.partition(seed_at)
        return proto, before_id + '"id":', middle + ',"seed":', after_seed

    def instantiate_many(self, seeds: Iterable[int]) -> list[Any]:
        """The variants for several seeds, in order; the same items as :meth:`instantiate` one by one.

        The batch path shares what does not depend on the seed (the parameter specs, the
        family lookup, the seeding of the generators: :func:`rngs_for`) and lets a family
        with ``build_many`` compute the numbers of the whole batch in one engine call.
        Every item is still validated (pydantic-core's validation is cheaper than
        ``model_construct``, which loops over the fields in Python).
        """
        seeds = list(seeds)
        for seed in seeds:
            if seed < 0:
                raise InputError(f"seed must be a non-negative integer, got {seed}")
        fam = self.get_family()
        if fam is None or not seeds:
            return [self.instantiate(seed) for seed in seeds]
        # A batch allocates a hundred-odd objects per item and keeps them all (the items), with
        # no reference cycles among them: the cyclic collector's passes over the growing batch
        # find nothing and were a sixth of its time. It is paused for the batch, then resumed.
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._instantiate_family_many(fam, seeds)
        finally:
            if paused:
                gc.enable()

    def _instantiate_family_many(self, fam: Family, seeds: list[int]) -> list[Any]:
        specs = self.specs()
        rngs = rngs_for(self.id, self.version, seeds)
        # Every rejected draw as (seed index, reason), in order: counted only if a seed runs out of draws.
        rejected: list[tuple[int, Any]] = []
        tries = [0] * len(seeds)
        results: list[tuple[Content, dict[str, Any], dict[str, Any] | None] | None] = [None] * len(seeds)
        exhausted: list[int] = []
        checks = [c for c in self.constraints if c.phase == "content"]
        dump = fam.params.__pydantic_serializer__.to_python  # what model_dump calls
        # the params' JSON written directly, already canonical, for items assembled without validation
        plain_params = _plain_params if self.stem is None and not _model.VALIDATE and _plainly_dumped(fam.params) else None
        # Rounds: every seed still without content draws parameters (each seed retrying its
        # own rejected draws, spec by spec, with its own generator), then the family builds
        # the round's seeds; a seed whose build rejects draws again in the next round. Each
        # generator sees exactly the calls instantiate() makes, in the same order.
        pending = list(range(len(seeds)))
        while pending:
            ready, out_of_draws = self._params_many(fam, specs, pending, rngs, rejected, tries)
            exhausted += out_of_draws
            if fam.build_many is not None:
                built = fam.build_many([p for _, p in ready], [rngs[i] for i, _ in ready]) if ready else []
            else:
                built = [self._build_one(fam, p, rngs[i]) for i, p in ready]
            pending = []
            for (i, params), out in zip(ready, built):
                if isinstance(out, Reject):
                    rejected.append((i, out.reason))
                    pending.append(i)
                    continue
                content, extra = out if isinstance(out, tuple) else (out, {})
                reason = next((r for c in checks if (r := c.check(content))), None) if checks else None
                if reason is not None:
                    rejected.append((i, reason))
                    pending.append(i)
                elif plain_params is not None and "params" not in extra and (clean := plain_params(params)) is not None:
                    results[i] = (content, extra, clean)
                else:
                    results[i] = (content, {"params": dump(params, mode="json"), **extra}, None)
        if exhausted:
            i = min(exhausted)  # the seed instantiate() one by one would have failed on first
            reason, count = Counter(reasons_of(rejected, i)).most_common(1)[0]
            raise ConstraintError(
                f"template {self.id} (seed {seeds[i]}): no draw met the constraints in {self.max_draws} tries; "
                f"most often: {reason} ({count} times)"
            )
        items = []
        for i, seed in enumerate(seeds):
            content, data, clean = results[i]  # type: ignore[misc]
            if clean is not None:
                items.append(self._item(content, seed, data, clean))
                continue
            if self.stem is not None:
                content = content.model_copy(update={"stem": self._render_stem(data)})
            items.append(self._item(content, seed, data))
        return items

    @staticmethod
    def _build_one(fam: Family, params: Any, rng: np.random.Generator) -> Any:
        try:
            return fam.build(params, rng)
        except Reject as r:
            return r

    def _params_many(self, fam: Family, specs: dict[str, Distribution], idx: list[int], rngs: list[np.random.Generator],
                     rejected: list[tuple[int, Any]], tries: list[int]) -> tuple[list[tuple[int, Any]], list[int]]:
        """The validated parameters of each seed index in ``idx`` (the draw stage of :meth:`_draw`,
        retried until accepted as there), and the indices whose budget ran out.

        All pending draws advance spec by spec together (:func:`~qbank.questions.params.sample_many`);
        a draw rejected at some spec starts over at the first spec in the next pass, as
        :meth:`_params` would start over after its Reject. ``tries`` (per seed index) is
        advanced and each rejection appended to ``rejected`` as ``(index, reason)``.
        """
        from ._draws import bounded_integers
        from .params import Fixed, sample_many

        # Fixed values draw nothing from the generator: each draw's dict starts from them (the
        # validation reads the dict by field name, so the order of its keys does not matter).
        fixed = {name: spec.value for name, spec in specs.items() if isinstance(spec, Fixed)}
        drawn_specs = [(name, spec) for name, spec in specs.items() if not isinstance(spec, Fixed)]
        ready: list[tuple[int, Any]] = []
        exhausted: list[int] = []
        budget = self.max_draws
        pending = []
        for i in idx:
            (pending if tries[i] < budget else exhausted).append(i)
        names = [name for name, _ in drawn_specs]
        prefix = _dirichlet_prefix([spec for _, spec in drawn_specs])
        runs = _choice_runs([spec for _, spec in drawn_specs[len(prefix):]])
        while pending:
            if prefix:
                # the leading Dirichlets' retries, resolved for each generator at once
                alive, columns, out_of_draws = _draw_prefix(prefix, pending, rngs, rejected, tries, budget)
                exhausted += out_of_draws
                pending = [i for i in pending if i not in out_of_draws] if out_of_draws else pending
            else:
                for i in pending:
                    tries[i] += 1
                alive = pending
                columns = []  # per drawn spec, the values of the draws still alive
            for run in runs:
                if type(run) is tuple:  # unweighted choices in a row: one generator call per seed for all of them
                    drawn_rows = [bounded_integers(rngs[i], run[1]) for i in alive]
                    for t, options in enumerate(run[0]):
                        columns.append([options[row[t]] for row in drawn_rows])
                    continue
                drawn = sample_many(run, [rngs[i] for i in alive])
                keep = [k for k, v in enumerate(drawn) if not isinstance(v, Reject)]
                if len(keep) < len(drawn):
                    rejected.extend((alive[k], v.reason) for k, v in enumerate(drawn) if isinstance(v, Reject))
                    alive = [alive[k] for k in keep]
                    drawn = [drawn[k] for k in keep]
                    columns = [[col[k] for k in keep] for col in columns]
                columns.append(drawn)
            done = set()
            for i, row in zip(alive, zip(*columns) if columns else [()] * len(alive)):
                values = fixed.copy()
                values.update(zip(names, row))
                try:
                    ready.append((i, self._validate_params(fam, values)))
                    done.add(i)
                except Reject as r:
                    rejected.append((i, r.reason))
            pending_next = []
            for i in pending:
                if i not in done:
                    (pending_next if tries[i] < budget else exhausted).append(i)
            pending = pending_next
        ready.sort(key=lambda r: r[0])  # seed order, as the family's batch builder has always seen them
        return ready, exhausted

    def _params(self, fam: Family, specs: dict[str, Distribution], rng: np.random.Generator) -> Any:
        return self._validate_params(fam, {name: spec.sample(rng) for name, spec in specs.items()})

    def _validate_params(self, fam: Family, values: dict[str, Any]) -> Any:
        params = _known_params(fam.params, values)
        if params is None:
            params = self._validated_params(fam, values)
            _remember_params(fam.params, values, params)
        for c in self.constraints:
            if c.phase == "params" and (reason := c.check(dict(params))):
                raise Reject(reason)
        return params

    def _validated_params(self, fam: Family, values: dict[str, Any]) -> Any:
        try:
            params = fam.params.__pydantic_validator__.validate_python(values)  # model_validate, one call less
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            raise InputError(f"template {self.id}: params.{where}: {err['msg']}") from None
        return params

    def _draw(self, fam: Family, specs: dict[str, Distribution], rng: np.random.Generator) -> tuple[Content, dict[str, Any]]:
        params = self._params(fam, specs, rng)
        built = fam.build(params, rng)
        content, extra = built if isinstance(built, tuple) else (built, {})
        for c in self.constraints:
            if c.phase == "content" and (reason := c.check(content)):
                raise Reject(reason)
        return content, {"params": params.model_dump(mode="json"), **extra}

    def _render_stem(self, data: dict[str, Any]) -> str:
        from jinja2 import TemplateError, UndefinedError

        context = {**data.get("params", {}), **{k: v for k, v in data.items() if k != "params"}}
        try:
            return render_text(self.stem or "", context)
        except UndefinedError as exc:
            raise InputError(f"template {self.id}: stem: {exc.message} (available: {', '.join(sorted(context))})") from None
        except TemplateError as exc:
            raise InputError(f"template {self.id}: stem: {exc}") from None

    def _item(self, content: Any, seed: int, data: dict[str, Any], clean_params: dict[str, Any] | None = None) -> Any:
        """What :func:`make_item` builds: the content's fields plus this template's identity and ``data``.

        The content was validated when it was built (families build it through the models'
        validating constructors), and the identity comes from this validated template, so
        validating the item would check them again and change nothing: it is assembled as
        validation would assemble it (every field given, so all of them set), and only ``data``
        is checked (:func:`canonical_plain`, what the ``data`` field's validation gives). Anything outside that lane takes the
        validating path: a stem rendered from the bank (``model_copy`` does not validate
        it), a seed that is not a plain int, data with other types than JSON's, and every
        item while :data:`~qbank.questions._model.VALIDATE` is set (tests compare both paths).
        """
        cls = type(content)
        item_cls = _CONTENT_ITEM.get(cls) if self.stem is None and not _model.VALIDATE else None
        extra = None
        if clean_params is not None:
            # ``data`` is the family's extra data, and the params' canonical JSON comes apart
            # (:func:`_plain_params`): the item's data is the two, params first
            extra, data = data, {"params": clean_params, **data}
        if item_cls is not None and type(seed) is int and seed >= 0 and type(data) is dict:
            try:
                clean = canonical_plain(data) if extra is None else {"params": clean_params, **canonical_plain(extra)}
            except NotPlainJson:
                pass
            else:
                values = content.__dict__.copy()  # every field of the item, in its order (see _assembled_item_types)
                values["id"] = item_id(self.id, self.version, seed)
                values["template"] = self.id
                values["version"] = self.version
                values["seed"] = seed
                values["title"] = self.title
                values["points"] = self.points
                values["tags"] = self.tags
                values["difficulty"] = self.difficulty
                values["data"] = clean
                return assembled(item_cls, values, set(values))
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = tuple(cls.model_fields)
        fields = {name: getattr(content, name) for name in names}
        fields.update(
            id=item_id(self.id, self.version, seed), template=self.id, version=self.version, seed=seed, title=self.title,
            points=self.points, tags=self.tags, difficulty=self.difficulty, data=data,
        )
        return ITEM_TYPES[fields["type"]].model_validate(fields)


# Parameter validation, remembered field by field: a family's params model without validators
# of its own (none reads another field) validates each field's value by itself, so a value
# that validated once (a choice's option, a fixed value) gives the same field value again.
# Per model class: (field name, frozen value) -> validated value; bounded, as continuous
# draws never repeat.
_PARAM_VALUES: dict[type, dict[tuple[str, Any], Any]] = {}
_PARAM_VALUES_MAX = 4096


@lru_cache(maxsize=None)
def _fieldwise(params: type[Any]) -> bool:
    """Whether ``params`` validates each field on its own: no field or model validators, no
    defaults that would have to be filled in (every field is drawn or fixed by its spec)."""
    decorators = params.__pydantic_decorators__
    return not (decorators.field_validators or decorators.model_validators or decorators.validators
                or decorators.root_validators or params.__pydantic_post_init__)


def _frozen(v: Any) -> Any:
    """A hashable key for a drawn value of JSON's types (a list as a tuple), else None."""
    t = type(v)
    if t is float and v == 0.0:
        return (t, v, math.copysign(1.0, v))  # -0.0 == 0.0, but validation keeps the sign
    if t is str or t is bool or t is int or t is float or v is None:
        return (t, v)
    if t is list:
        inner = tuple(_frozen(x) for x in v)
        return None if None in inner else (t, inner)
    return None


def _known_params(params: type[Any], values: dict[str, Any]) -> Any:
    """The params model that validating ``values`` gives, when every field's value validated
    before (each remembered as validation stored it, a drawn token distribution taken as
    validation takes an instance: as it is); else None."""
    known = _PARAM_VALUES.get(params)
    if known is None or len(values) != len(params.model_fields):
        return None
    from .params import TokenDistribution

    out = {}
    for name, v in values.items():
        if type(v) is TokenDistribution and name in _DISTRIBUTION_FIELDS.get(params, ()):
            out[name] = v
            continue
        key = _frozen(v)
        if key is None:
            return None
        hit = known.get((name, key), _MISSING)
        if hit is _MISSING:
            return None
        out[name] = hit
    return _model.trusted(params, out)


def _remember_params(params: type[Any], values: dict[str, Any], validated: Any) -> None:
    if not _fieldwise(params) or set(values) != set(params.model_fields):
        return
    known = _PARAM_VALUES.setdefault(params, {})
    if len(known) >= _PARAM_VALUES_MAX:
        known.clear()
    if params not in _DISTRIBUTION_FIELDS:
        from .families import Draw
        from .params import TokenDistribution

        # fields of exactly this type, annotated with nothing but their default distribution
        _DISTRIBUTION_FIELDS[params] = frozenset(
            name for name, info in params.model_fields.items()
            if info.annotation is TokenDistribution and all(isinstance(m, Draw) for m in info.metadata))
    for name, v in values.items():
        key = _frozen(v)
        if key is not None:
            known[(name, key)] = validated.__dict__[name]


_DISTRIBUTION_FIELDS: dict[type, frozenset[str]] = {}
_MISSING = object()


@lru_cache(maxsize=None)
def _plainly_dumped(params: type[Any]) -> bool:
    """Whether ``params.model_dump(mode="json")`` is just each field's value in JSON form
    (no serializers, computed or excluded fields), as :func:`_plain_params` writes it."""
    from .params import TokenDistribution

    for cls in (params, TokenDistribution):
        decorators = cls.__pydantic_decorators__
        if decorators.field_serializers or decorators.model_serializers or cls.model_computed_fields:
            return False
        if any(info.exclude for info in cls.model_fields.values()):
            return False
    return True


def _plain_params(params: Any) -> dict[str, Any] | None:
    """``canonical_plain(params.model_dump(mode="json"))`` for params made of plain values
    (str, bool, int, None, finite floats, tuples of those, token distributions), written
    directly; None for anything else (the caller then dumps and canonicalises).

    The dump is the same dict (tuples become lists, a distribution its three fields, keys in
    field order) and every float goes through :func:`canonical_float` as there; a test
    compares the items with those built through validation for every template.
    """
    from .params import TokenDistribution

    out: dict[str, Any] = {}
    for name, v in params.__dict__.items():
        t = type(v)
        if t is str or t is bool or t is int or v is None:
            out[name] = v
        elif t is float:
            if not math.isfinite(v):
                return None  # JSON mode writes these as null
            out[name] = canonical_float(v)
        elif t is TokenDistribution:
            tokens = {}
            for k, x in v.tokens.items():
                if type(x) is not float or not math.isfinite(x):
                    return None
                tokens[k] = canonical_float(x)
            r = v.remainder
            if type(r) is not float or not math.isfinite(r) or type(v.remainder_label) is not str:
                return None
            out[name] = {"tokens": tokens, "remainder": canonical_float(r), "remainder_label": v.remainder_label}
        elif t is tuple:
            row = []
            for x in v:
                tx = type(x)
                if tx is str or tx is bool or tx is int or x is None:
                    row.append(x)
                elif tx is float and math.isfinite(x):
                    row.append(canonical_float(x))
                else:
                    return None
            out[name] = row
        else:
            return None
    return out


def _choice_runs(specs: list[Any]) -> list[Any]:
    """``specs`` with each run of two or more unweighted choices in a row replaced by
    ``(options of each, their counts)``.

    Each such choice is one bounded integer (``rng.integers(len(options))``) and none of them
    rejects, so the run's integers follow each other in every generator's stream and are
    drawn with one call (:func:`~qbank.questions._draws.bounded_integers`) instead of one each.
    """
    from .params import Choice

    out: list[Any] = []
    run: list[Any] = []

    def close() -> None:
        if len(run) >= 2:
            out.append((tuple(c.options for c in run), tuple(len(c.options) for c in run)))
        else:
            out.extend(run)
        run.clear()

    for spec in specs:
        if isinstance(spec, Choice) and spec.weights is None and 1 <= len(spec.options) < 2**32:
            run.append(spec)
        else:
            close()
            out.append(spec)
    close()
    return out


def _dirichlet_prefix(specs: list[Any]) -> list[Any]:
    """The leading Dirichlets of ``specs`` that draw the same gamma variates (same alpha and
    slots), when there are two or more of them; else an empty list.

    Until every one of them is accepted in a row, such a template draws nothing but rows of
    gamma variates, each rejected row starting over at the first: two narrow Dirichlets
    (compare-states) take a dozen rows per seed, which :func:`_draw_prefix` draws in one
    call per generator instead of one call per row.
    """
    from .params import Dirichlet

    prefix: list[Any] = []
    for spec in specs:
        if not isinstance(spec, Dirichlet) or not isinstance(spec._gamma_args[0], float):
            break
        if prefix and (spec._gamma_args != prefix[0]._gamma_args):
            break
        prefix.append(spec)
    return prefix if len(prefix) >= 2 else []


_CHUNK = 16  # gamma rows drawn ahead per generator and round of _draw_prefix


def _draw_prefix(prefix: list[Any], pending: list[int], rngs: list[np.random.Generator], rejected: list[tuple[int, Any]],
                 tries: list[int], budget: int) -> tuple[list[int], list[list[Any]], list[int]]:
    """One attempt or more of the Dirichlet prefix for each pending seed index, until it is
    accepted in full: the indices that got there, each prefix spec's distribution for them (a
    column per spec), and the indices whose budget ran out first.

    What the pass-by-pass path does, row by row: every attempt advances ``tries`` (none starts
    once the budget is spent), a rejected row records its reason and starts the next attempt
    at the first spec, and the generator ends up right after the last row used. To get
    there cheaply, rows are drawn ahead in chunks (one ``standard_gamma`` call per generator:
    the same variates, in the same order, as one call per row) from a saved state; once the
    rows used are known, the state is restored and exactly those rows are drawn again.
    """
    import numpy as np

    shape, _ = prefix[0]._gamma_args
    slots = prefix[0].slots
    m = len(prefix)
    saved = {i: rngs[i].bit_generator.state for i in pending}
    used = dict.fromkeys(pending, 0)
    position = dict.fromkeys(pending, 0)  # the prefix spec the next row goes to
    rows: dict[int, list[Any]] = {i: [None] * m for i in pending}  # the current attempt's accepted rows
    done: list[int] = []
    exhausted: list[int] = []
    reject_cache = [spec._shared_rejects for spec in prefix]  # what shared_reject looks up first
    todo = pending
    while todo:
        g = np.empty((len(todo), _CHUNK, slots))
        for k, i in enumerate(todo):
            rngs[i].standard_gamma(shape, out=g[k])
        flat = g.reshape(-1, slots)
        checked: list[tuple[Any, Any]] = []
        for t, spec in enumerate(prefix):  # equal specs (two states of one model) are checked once
            same = next((u for u in range(t) if prefix[u] == spec), None)
            checked.append(checked[same] if same is not None else spec.rounded(flat))
        codes = [code.reshape(len(todo), _CHUNK).tolist() for code, _ in checked]
        probs = [p.reshape(len(todo), _CHUNK, slots) for _, p in checked]
        todo_next = []
        for k, i in enumerate(todo):
            row_codes = [c[k] for c in codes]
            t = start = position[i]
            n = 0
            for r in range(_CHUNK):
                if t == 0:
                    if tries[i] >= budget:
                        exhausted.append(i)
                        break
                    tries[i] += 1
                n += 1
                if row_codes[t][r] == 0:
                    rows[i][t] = (probs[t], k, r)
                    t += 1
                    if t == m:
                        done.append(i)
                        break
                else:
                    t = 0
            else:
                todo_next.append(i)
            if n > 0:
                # the reasons of this chunk's rejected rows, worked out only if they are ever reported
                rejected.append((i, partial(_prefix_reasons, prefix, row_codes, [p[k] for p in probs], start, n)))
            position[i], used[i] = t, used[i] + n
        todo = todo_next
    for i in done:
        bit_generator = rngs[i].bit_generator
        bit_generator.state = saved[i]
        rngs[i].standard_gamma(shape, (used[i], slots))  # the rows used, to leave the generator after them
    done.sort()
    columns = [[prefix[t]._distribution(_row(rows[i][t])) for i in done] for t in range(m)]
    return done, columns, exhausted


def _row(at: tuple[Any, int, int]) -> list[float]:
    probs, k, r = at
    return probs[k, r].tolist()  # type: ignore[no-any-return]


def _prefix_reasons(prefix: list[Any], codes: list[list[int]], probs: list[Any], start: int, n: int) -> list[str]:
    """The reasons of the rejected rows among the first ``n`` rows of a chunk (the prefix at spec ``start``
    at its first row), in order: the walk of :func:`_draw_prefix` again."""
    out = []
    t = start
    for r in range(n):
        c = codes[t][r]
        if c == 0:
            t = (t + 1) % len(prefix)
        else:
            out.append(prefix[t].shared_reject(c, probs[t][r].tolist()).reason)
            t = 0
    return out


def reasons_of(rejected: list[tuple[int, Any]], i: int) -> Iterator[str]:
    """The reasons recorded for seed index ``i``, in order (a callable entry stands for several, see :func:`_draw_prefix`)."""
    for k, reason in rejected:
        if k == i:
            if callable(reason):
                yield from reason()
            else:
                yield reason


def _assembled_item_types() -> dict[type, type]:
    """The content types whose item's fields are exactly the content's, then the identity's, in that order
    (the order validation fills an item's fields in; all of them today)."""
    from .items import CONTENT_ITEM_TYPES, _ItemBase

    return {
        c: i for c, i in CONTENT_ITEM_TYPES.items()
        if list(i.model_fields) == [*c.model_fields, *_ItemBase.model_fields] and not i.__pydantic_post_init__
    }


_CONTENT_ITEM = _assembled_item_types()
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}

# A string as json.dumps(value, ensure_ascii=False) writes it (the C function; dumps adds a call layer per id).
_json_string = json.encoder.encode_basestring

# Stand-ins for a static item's id and seed while its JSON is cut into parts (a NUL never
# appears in an item: the loader refuses control characters, and ids are a plain alphabet;
# the test against the validated item's own hash guards the cut)
_ID_MARK = "\x00qbank item id\x00"
_SEED_MARK = "\x00qbank item seed\x00"
