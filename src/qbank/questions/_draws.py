"""Bounded integers from a numpy generator, the draws ``Generator.integers`` makes, cheaper.

``rng.integers(b)`` is Lemire's method on the generator's 32-bit words: one word w gives
``w * b >> 32`` unless the low half of ``w * b`` falls below ``2**32 % b``, when the word is
rejected and the next one tried (a bound of 1 draws nothing). Most of the call's cost is
numpy's argument handling (a couple of microseconds; with ``size`` more still), not the
draw. Here the words come straight from the bit generator's own ``next_uint32`` (the
function ``integers`` calls, reached through the bit generator's documented ``capsule``,
the ``bitgen_t`` struct that numpy's C and Cython extensions use) and the arithmetic runs
in Python. The route is checked against ``integers`` on first use; where it is not
available or does not agree, each word is one ``integers`` call over the full 32 bits (the
word itself), slower and the same. Tests compare both with ``integers`` over many seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

__all__ = ["bounded_integers"]

_MASK32 = 0xFFFFFFFF


def bounded_integers(rng: Any, bounds: Sequence[int]) -> list[int]:
    """``[int(rng.integers(b)) for b in bounds]`` (each ``1 <= b < 2**32``): the same integers,
    from the same words, leaving the generator in the same state."""
    word = _word_source()(rng)
    out = []
    for b in bounds:
        if b == 1:
            out.append(0)
            continue
        m = word() * b
        if (m & _MASK32) < b:
            threshold = (_MASK32 - b + 1) % b  # 2**32 % b
            while (m & _MASK32) < threshold:
                m = word() * b
        out.append(m >> 32)
    return out


_SOURCE: list[Callable[[Any], Callable[[], int]]] = []


def _word_source() -> Callable[[Any], Callable[[], int]]:
    """A function of a generator giving its ``next_uint32`` as a callable (chosen once)."""
    if not _SOURCE:
        _SOURCE.append(_checked(_direct) or _plain)
    return _SOURCE[0]


def _plain(rng: Any) -> Callable[[], int]:
    import numpy as np

    u32 = np.dtype(np.uint32)
    return lambda: int(rng.integers(0, 1 << 32, dtype=u32))


def _direct(rng: Any) -> Callable[[], int]:
    bg = rng.bit_generator
    bitgen = _get_pointer(bg.capsule, b"BitGenerator")
    fn = _FUNCTIONS.get(type(bg))  # the C function is one per bit generator class
    if fn is None:
        fn = _FUNCTIONS[type(bg)] = _next_uint32(_from_address(bitgen + _NEXT_UINT32_AT).value)
    return partial(fn, _from_address(bitgen).value)  # the instance's state


_FUNCTIONS: dict[type, Any] = {}


def _checked(source: Callable[[Any], Callable[[], int]]) -> Callable[[Any], Callable[[], int]] | None:
    """``source`` if it gives the words ``integers`` gives (and leaves the same state), else None."""
    try:
        import ctypes

        import numpy as np

        global _get_pointer, _from_address, _next_uint32, _NEXT_UINT32_AT
        _get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
        _get_pointer.restype = ctypes.c_void_p
        _get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
        _from_address = ctypes.c_void_p.from_address
        # bitgen_t: {void *state; next_uint64; next_uint32; next_double; next_raw}
        _NEXT_UINT32_AT = 2 * ctypes.sizeof(ctypes.c_void_p)
        # PYFUNCTYPE: the call keeps the GIL (a word takes nanoseconds; releasing and taking
        # the lock back would cost more, and with another thread waiting, much more)
        _next_uint32 = ctypes.PYFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p)
        for seed in (0, 1, 12345):
            fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
            word = source(fast)
            if [word() for _ in range(5)] != [int(plain.integers(0, 1 << 32, dtype=np.uint32)) for _ in range(5)]:
                return None
            if fast.bit_generator.state != plain.bit_generator.state:
                return None
        return source
    except Exception:  # no ctypes, another interpreter, another layout: the plain route
        return None


_get_pointer: Any = None
_from_address: Any = None
_next_uint32: Any = None
_NEXT_UINT32_AT = 0
