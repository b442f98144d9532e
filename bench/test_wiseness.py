"""How often a test-wise strategy finds the key in the built-in bank: the issue-15 figure.

Over 200 seeds of every template, for each single-choice variant: is the key the unique longest
option (chance: the share of variants where a uniformly placed key would be, about 1/options)?
Prints the share per template and overall, then the cue table of ``qbank lint --all``.

    .venv/bin/python bench/test_wiseness.py            # this checkout
    PYTHONPATH=/path/to/old/src python bench/test_wiseness.py   # an earlier one, side by side
"""

from __future__ import annotations

from qbank.questions import builtin_bank

SEEDS = 200


def visible_len(text: str) -> int:
    try:
        from qbank.questions.quality import visible
    except ImportError:  # an earlier checkout without the linter: plain length
        return len(" ".join(text.split()))
    return len(visible(text))


def main() -> None:
    total = longest = 0
    for template in builtin_bank():
        if template.family is None:
            continue
        n = hits = 0
        for item in template.instantiate_many(range(SEEDS)):
            specs = item.parts if item.type == "multipart" else (item,)
            for spec in specs:
                if spec.type != "single_choice":
                    continue
                lengths = [visible_len(o.text) for o in spec.options]
                top = max(lengths)
                n += 1
                hits += lengths.count(top) == 1 and lengths[spec.key[0]] == top
        if n:
            print(f"{template.id:28s} {hits / n:6.1%} of {n}")
            total, longest = total + n, longest + hits
    print(f"{'all single-choice variants':28s} {longest / total:6.1%} of {total}")


if __name__ == "__main__":
    main()
