"""Starting points for authors: a bank folder, or one template of a family or an item type.

Every file :func:`template_yaml` writes begins with the ``# yaml-language-server: $schema=``
line (editors then complete and check fields as you type), explains each field in a comment,
and passes ``qbank validate`` as written; tests check that for every family and item type.
Family templates spell out each parameter's default, so the author sees what can change.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["ITEM_TYPE_NAMES", "SCHEMA_FILE", "new_bank", "new_template", "template_yaml"]

SCHEMA_FILE = "bank.schema.json"

# The part of every template before its family or content.
_HEAD = """\
# yaml-language-server: $schema={schema}
# A qbank bank file: a list of templates. Check it with `qbank validate {file}`,
# see a variant with `qbank preview {file}` or `qbank show {id} --key --bank {file}`.
templates:
  - id: {id}   # unique in the bank; letters, digits and dashes; names every variant
    version: 1              # raise it when you change a template that a quiz has used
    title: {title}   # shown to students above the question
    points: 1               # what the question is worth in a quiz (a section may override it)
    difficulty: medium      # easy, medium or hard (optional)
    tags:
      topics: [{topics}]   # topic slugs: `qbank list --topic ...` filters on them
      bloom: {bloom}   # remember, understand, apply, analyze, evaluate or create
      # source: "Xiao & Zhu, Foundations of LLMs, ch. 4"   # where the idea comes from (optional)
"""

# Static items: one commented example per item type. Text is Markdown with $...$ TeX math;
# in YAML, write a backslash in double quotes as \\ (or use single quotes / block scalars).
_CONTENT: dict[str, str] = {
    "single_choice": """\
    content:
      type: single_choice     # exactly one option has correct: true
      stem: "With a one-hot target on token $c$, the cross-entropy of the prediction $p$ is:"
      shuffle: true           # a quiz may show the options in another order
      options:                # shown as A, B, C ... in this order
        - text: "$-\\\\ln p_c$"
          correct: true
          feedback: "Right: the one-hot target keeps only the gold term."
        - text: "$1 - p_c$"
          misconception: M-PROB-AS-LOSS   # the mistake this distractor stands for (qbank.questions.misconceptions)
          feedback: "That is a probability gap, not a log-loss."
        - text: "$-\\\\sum_k p_k \\\\ln p_k$"
          misconception: M-ENTROPY
          feedback: "That is the entropy of $p$, not the cross-entropy with the target."
      explanation: "$H(e_c, p) = -\\\\sum_k e_{c,k} \\\\ln p_k = -\\\\ln p_c$."   # the worked solution, shown with the key
      # hint: "Only one term of the sum is non-zero."                        # shown to students (optional)
""",
    "multiple_response": """\
    content:
      type: multiple_response # one or more options are correct
      stem: "Which statements about the cross-entropy loss $-\\\\ln p_{gold}$ are true?"
      scoring: partial        # all_or_nothing, partial or right_minus_wrong
      options:
        - {text: "It is 0 when $p_{gold} = 1$.", correct: true, feedback: "Right: $-\\\\ln 1 = 0$."}
        - {text: "It grows without bound as $p_{gold} \\\\to 0$.", correct: true, feedback: "Right: $-\\\\ln p \\\\to \\\\infty$."}
        - text: "It only changes when the argmax changes."
          misconception: M-ACCURACY
          feedback: "Cross-entropy is not accuracy: it moves with $p_{gold}$ even when the argmax stays."
      explanation: "The loss depends on the gold token's probability only, and smoothly."
""",
    "true_false": """\
    content:
      type: true_false
      stem: "Lowering the temperature below 1 makes the most probable token more probable."
      answer: true
      feedback_true: "Right: dividing the logits by $T < 1$ stretches their gaps."
      feedback_false: "Dividing by $T < 1$ widens the gaps between logits, which sharpens the softmax."
      misconception: M-ARGMAX-PROB   # the mistake behind the wrong answer (optional)
      explanation: "$p_i \\\\propto e^{z_i / T}$: a smaller $T$ sharpens the distribution."
""",
    "numeric": """\
    content:
      type: numeric
      stem: "The model gives the gold token probability $0.25$. What is the loss $-\\\\ln p$? Give 2 decimals."
      answer: 1.3863
      tolerance: {absolute: 0.01}   # or {relative: 0.01}, or {sigfig: 3}
      decimals: 2             # decimals the stem asks for (the key is shown with them)
      # unit: nats            # printed after the answer blank (optional)
      distractors:            # wrong values a student may compute, each tied to a misconception
        - {value: 0.75, misconception: M-PROB-AS-LOSS, feedback: "That is $1 - p$, not $-\\\\ln p$."}
      explanation: "$-\\\\ln 0.25 = 1.3863$."
""",
    "short_text": """\
    content:
      type: short_text
      stem: "Which token does greedy decoding pick from $p$ = {Paris: 0.6, Lyon: 0.3, Nice: 0.1}?"
      answers: [Paris]        # compared after Unicode, apostrophe, space and case folding
      case_sensitive: false
      distractors:
        - {text: Lyon, misconception: M-ARGMAX, feedback: "Greedy takes the most probable token."}
      explanation: "Greedy decoding takes the argmax, Paris."
""",
    "ordering": """\
    content:
      type: ordering
      stem: "Order the steps of one SGD update on a language model, first to last."
      entries:                # as displayed: A, B, C, D
        - Compute the loss from the logits
        - Run the forward pass
        - Update the parameters
        - Backpropagate the gradient
      answer: [1, 0, 3, 2]    # positions in the right order: B, A, D, C
      scoring: partial        # exact or partial
      explanation: "Forward pass, loss, backward pass, then the update."
""",
    "matching": """\
    content:
      type: matching
      stem: "Match each quantity with its formula."
      prompts:                # numbered 1, 2, ...
        - Cross-entropy with a one-hot target
        - Perplexity of a sequence
      choices:                # lettered a, b, ...; extra choices are distractors
        - "$-\\\\ln p_c$"
        - "$e^{\\\\text{mean NLL}}$"
        - "$1 - p_c$"
      answer: [0, 1]          # the choice position for each prompt
      scoring: partial        # all_or_nothing or partial
      explanation: "Perplexity is the exponential of the mean negative log-likelihood."
""",
    "open_response": """\
    content:
      type: open_response
      stem: "Explain why the cross-entropy gradient on the logits is $p - e_c$."
      min_words: 30           # a shorter answer is flagged
      rubric:
        criteria:             # each criterion earns its weight when a cue matches
          - id: softmax
            title: Uses the softmax derivative
            weight: 2
            cues: ["softmax", "derivative of"]   # regular expressions, case-insensitive
            description: "Differentiates $\\\\ln \\\\mathrm{softmax}$ with respect to each logit."
          - id: result
            title: States the result
            weight: 1
            cues: ["p\\\\s*-\\\\s*e", "minus the one-hot"]
        caps:                 # a ceiling on the score unless some criteria are met
          - {unless: [result], max_score: 0.5, reason: "The result itself must be stated."}
      sample_answer: "The loss is $-z_c + \\\\ln \\\\sum_k e^{z_k}$; its derivative with respect to $z_j$ is the softmax derivative, $p_j - [j = c]$, so the gradient is $p - e_c$."
""",
    "multipart": """\
    content:
      type: multipart
      stem: "The model gives the gold token probability $p = 0.5$."   # shared by every part
      parts:                  # each part is an item of another type, with a label and a weight
        - label: a            # printed as (a)
          prompt: "What is the loss $-\\\\ln p$? Give 2 decimals."
          weight: 1           # share of the item's points
          type: numeric       # then the fields of that type
          answer: 0.6931
          tolerance: {absolute: 0.01}   # or {relative: ...}, or {sigfig: ...}
          decimals: 2         # decimals the prompt asks for
        - label: b
          prompt: "Does the loss fall if $p$ rises to 0.6?"
          weight: 1
          type: true_false
          answer: true        # the key
      explanation: "$-\\\\ln 0.5 = 0.6931$; the loss falls as $p$ rises."   # the worked solution
""",
}
ITEM_TYPE_NAMES = tuple(_CONTENT)

_TYPE_TITLES = {
    "single_choice": "Cross-entropy with a one-hot target", "multiple_response": "Properties of the cross-entropy loss",
    "true_false": "Temperature below 1", "numeric": "Loss of one token", "short_text": "Greedy decoding",
    "ordering": "The steps of an SGD update", "matching": "Quantities and formulas",
    "open_response": "The gradient on the logits", "multipart": "Loss of one token, two ways",
}
_TYPE_TOPICS = {
    "single_choice": ("cross-entropy", "apply"), "multiple_response": ("cross-entropy", "understand"),
    "true_false": ("temperature", "understand"), "numeric": ("cross-entropy", "apply"),
    "short_text": ("decoding", "apply"), "ordering": ("sgd-step", "remember"),
    "matching": ("cross-entropy", "remember"), "open_response": ("logit-gradient", "evaluate"),
    "multipart": ("cross-entropy", "apply"),
}


def _yaml_value(value: Any) -> str:
    """A value as one line of YAML flow style."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000).strip()
    return text[:-4].strip() if text.endswith("\n...") else text.removesuffix("...").strip()


def _param_note(info: Any) -> str:
    from typing import Literal, get_args, get_origin

    if get_origin(info.annotation) is Literal:
        annotation = "one of " + ", ".join(str(a) for a in get_args(info.annotation))
    else:
        annotation = getattr(info.annotation, "__name__", None) or str(info.annotation)
        annotation = re.sub(r"typing\.|qbank\.[\w.]+\.", "", annotation)
    note = info.description or ""
    return f"{annotation}{': ' + note if note else ''}"


def _family_block(name: str) -> tuple[str, str, tuple[str, ...], str]:
    """(title, YAML lines after the head, topics, bloom) for a family template."""
    from ..questions.families import get_family

    fam = get_family(name)
    lines = [
        f"    family: {fam.name}       # `qbank families` lists the families and their parameters",
        "    params:                  # each parameter: a fixed value, or a distribution each variant draws from",
        "                             # (dist: uniform, loguniform, integer, choice, dirichlet; see docs/bank.md)",
    ]
    for pname, spec in fam.default_specs().items():
        info = fam.params.model_fields[pname]
        if spec is None:
            lines.append(f"      # {pname}:   # required: {_param_note(info)}")
            continue
        full = spec.model_dump(mode="json")
        # the discriminator always (it is a default too), then only what differs from the defaults
        dumped = {"dist": full["dist"], **spec.model_dump(mode="json", exclude_defaults=True)} if "dist" in full else full
        value = dumped["value"] if dumped.get("dist") == "fixed" and set(dumped) <= {"dist", "value"} else dumped
        lines.append(f"      {pname}: {_yaml_value(value)}   # default; {_param_note(info)}")
    lines += [
        "    # constraints:           # draws that break one are drawn again (up to max_draws)",
        "    #   - {kind: distinct_options}",
        "    # stem: \"...\"            # replaces the family's stem; Jinja2 with the parameters, e.g. {{ prompt }}",
    ]
    return fam.summary.split(":")[0].split(";")[0][:70], "\n".join(lines) + "\n", fam.topics, fam.bloom[0].value


def template_yaml(*, family: str | None = None, item_type: str | None = None, template_id: str | None = None,
                  schema: str = SCHEMA_FILE, file: str = "bank.yaml") -> str:
    """The text of a bank file holding one commented template, of a family or a static item type.

    Raises:
        InputError: an unknown family or item type, or both or neither given.
    """
    if (family is None) == (item_type is None):
        raise InputError("choose one: --family NAME or --type TYPE")
    if family is not None:
        title, body, topics, bloom = _family_block(family)
        default_id = f"my-{family}"
    else:
        if item_type not in _CONTENT:
            raise InputError(f"unknown item type {item_type!r} (known: {', '.join(_CONTENT)})")
        title, body = _TYPE_TITLES[item_type], _CONTENT[item_type]
        topic, bloom = _TYPE_TOPICS[item_type]
        topics = (topic,)
        default_id = f"my-{item_type.replace('_', '-')}"
    tid = template_id or default_id
    if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", tid):
        raise InputError(f"--id {tid!r}: use lowercase letters, digits and dashes (e.g. my-question)")
    head = _HEAD.format(schema=schema, file=file, id=tid, title=_yaml_value(title), topics=", ".join(topics), bloom=bloom)
    return head + body


def _write_new(path: Path, text: str) -> None:
    from .._files import atomic_write, check_writable_folder

    if path.exists():
        raise InputError(f"{path}: already exists; qbank new never overwrites (choose another name)")
    check_writable_folder(path.parent, option="path")
    try:
        atomic_write(path, text)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None


def _schema_for(folder: Path) -> None:
    """Put the bank schema next to the files that name it (kept if already there)."""
    from ..questions.schema import bank_schema_json

    target = folder / SCHEMA_FILE
    if not target.exists():
        _write_new(target, bank_schema_json())


def new_template(path: str | Path, *, family: str | None = None, item_type: str | None = None,
                 template_id: str | None = None) -> list[Path]:
    """Write a bank file with one commented template, and the schema beside it; returns the files written.

    Raises:
        InputError: the file exists, the folder cannot be written, or the family/type is unknown.
    """
    path = Path(path)
    if path.suffix not in (".yaml", ".yml"):
        raise InputError(f"{path}: a bank file ends in .yaml or .yml")
    text = template_yaml(family=family, item_type=item_type, template_id=template_id, file=str(path))
    if path.exists():
        raise InputError(f"{path}: already exists; qbank new never overwrites (choose another name)")
    from .._files import check_writable_folder

    check_writable_folder(path.parent, option="path")
    written = []
    if not (path.parent / SCHEMA_FILE).exists():
        _schema_for(path.parent)
        written.append(path.parent / SCHEMA_FILE)
    _write_new(path, text)
    return [path, *written]


def new_bank(folder: str | Path, *, family: str | None = None, item_type: str | None = None,
             template_id: str | None = None) -> list[Path]:
    """A bank folder: the schema and one starter file (default: a single-choice item).

    Raises:
        InputError: the folder exists and is not empty, or it cannot be written.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder}: already exists and is not an empty folder; qbank new never overwrites")
    from .._files import check_writable_folder

    check_writable_folder(folder, option="path")
    if family is None and item_type is None:
        item_type = "single_choice"
    name = (family or str(item_type).replace("_", "-")) + ".yaml"
    text = template_yaml(family=family, item_type=item_type, template_id=template_id, file=str(folder))
    _schema_for(folder)
    _write_new(folder / name, text)
    return [folder / name, folder / SCHEMA_FILE]
