"""PyTorch's CPU random number generator, bit for bit, in NumPy.

This module is the engine behind reftorch's random functions (``manual_seed``,
``rand``, ``randn``, ``randint``, ``randperm``, ``normal``, ``Tensor.uniform_`` ...).
It has no Tensor dependency and never imports torch: every draw returns a flat
NumPy array, and the Tensor layer reshapes and wraps it.

What it mirrors (PyTorch 2.13, CPU):

* ``aten/src/ATen/core/MT19937RNGEngine.h`` and ``CPUGeneratorImpl.cpp`` -- the
  generator is a plain 32-bit Mersenne Twister (mt19937) seeded with
  ``init_genrand(seed & 0xffffffff)``; ``random64()`` is two draws, high word first.
  ``get_state()`` is the ``CPUGeneratorImplState`` struct as raw bytes.
* ``aten/src/ATen/core/DistributionsHelper.h`` and ``TransformationHelper.h`` -- the
  scalar distributions: uniform floats from the *low* bits of a draw, ``randint`` as
  ``r % range + low``, Box-Muller normals whose second value is cached in the generator.
* ``aten/src/ATen/native/cpu/DistributionTemplates.h`` -- the kernels: ``normal_fill``
  (tensors of 16 or more elements, Box-Muller on blocks of 16), the ``uniform_`` clamp,
  ``random_``, ``bernoulli_``.
* ``aten/src/ATen/native/cpu/avx_mathfun.h`` -- the AVX2 ``log256_ps``/``sincos256_ps``
  polynomials that float32 ``normal_fill`` uses on x86 machines with AVX2 or AVX512.
* ``aten/src/ATen/native/TensorFactories.cpp`` -- ``randperm`` (Fisher-Yates, and the
  "inside-out" variant with ``random64()`` from ``n = 2**32 // 20`` on).

NumPy's ``MT19937`` bit generator has the same twister and tempering as ATen's, so once
we hand it the state built by ``init_genrand`` it produces torch's exact stream of 32-bit
words at C speed.  Everything after that (turning words into floats, integers and
normals) is a transcription of the kernels above, vectorised where the kernel is
element-wise; ``randperm``'s sequential swaps are resolved by sorting the steps by
their target (:func:`_apply_swaps`, :func:`_inside_out`).

Two details decide whether the last bit matches:

* **Fused multiply-add.**  ATen's AVX2 kernels are compiled by GCC with ``-mfma`` and
  ``-ffp-contract=fast``, so ``x * (high - low) + low`` in ``uniform_``, ``val * std +
  mean`` in ``normal_`` and the multiply-add pairs of the Cephes polynomials are each
  rounded once.  :func:`~reftorch._fma.fma32` and :func:`~reftorch._fma.fma64` emulate
  that (correctly rounded, also at the rare float32 midpoints where the cheaper float32
  form of :mod:`reftorch._fma` is one ulp off); the float32 Cephes
  port (:class:`_BoxMuller32`) uses a cheaper form, exact on all its 2**24 inputs.  Set
  ``generator.capability = "default"`` to get the unfused arithmetic of
  ``ATEN_CPU_CAPABILITY=default`` builds instead (float32 ``normal`` with 16 or more
  elements is then only approximate, see below).
* **libm.**  float64 Box-Muller calls glibc's ``log``, ``log1p``, ``sin`` and ``cos``.
  Python's :mod:`math` module calls the same C functions; NumPy's SIMD ``np.log``
  differs from glibc in the last bit for some inputs, so float64 normals go through
  :mod:`math` element by element (slower, but exact on the same machine).

float16 and bfloat16 (``ml_dtypes.bfloat16``) draw as PyTorch's kernels do for them: in float,
rounded once. Known limits: float32 normals with
16 or more elements on a torch running the ``DEFAULT`` (pre-AVX2) kernel, or on ARM,
differ in the last bit for ~1.5 % of values; ``bernoulli`` with a scalar ``p``
(``bernoulli_(p)``, ``dropout``) matches torch on AMD CPUs only: on Intel CPUs, MKL
builds of torch draw one ``random()`` and use it to seed an MKL VSL MCG31 stream
(``bernoulli_scalar_kernel`` in ``native/cpu/DistributionKernels.cpp``), which is not
reproduced here.

Usage (this is what the Tensor layer calls; all sizes are element counts)::

    >>> import numpy as np
    >>> from reftorch._rng import CPUGenerator, default_generator
    >>> g = CPUGenerator()            # like torch.Generator(): seed 67280421310721
    >>> g = g.manual_seed(0)          # returns the generator, like torch
    >>> g.uniform(3)                  # torch.rand(3, generator=g).numpy()
    array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)
    >>> g.normal(2, dtype=np.float64).round(4)  # torch.randn(2, dtype=torch.float64)
    array([0.3643, 0.1344])
    >>> g.randint(4, 0, 10)           # torch.randint(0, 10, (4,)): int64
    array([3, 7, 3, 1])
    >>> g.randperm(5)                 # torch.randperm(5)
    array([1, 0, 2, 3, 4])
    >>> g.get_state().shape           # torch.Generator().get_state(): uint8 bytes
    (5056,)

Other draws: ``g.uniform(n, low, high, dtype)`` (``Tensor.uniform_``),
``g.normal(n, mean, std, dtype)`` (``torch.normal(mean, std, size)``,
``Tensor.normal_``), ``g.random_(n, dtype)`` (``Tensor.random_()``),
``g.bernoulli(n, p, dtype)`` (``Tensor.bernoulli_(p)``, ``torch.bernoulli(p_tensor)``),
``g.random32(n)`` / ``g.random64(n)`` (raw ``random()`` / ``random64()``).
``default_generator`` is the process-wide generator behind ``torch.manual_seed`` and
``torch.rand``; like torch's, it starts from a non-deterministic seed.
"""
from __future__ import annotations

import math
import os
import threading

import ml_dtypes
import numpy as np

from ._fma import fma32, fma64
from ._threads import get_num_threads, worker_pool

__all__ = ["CPUGenerator", "default_generator", "DEFAULT_SEED", "STATE_SIZE"]

#: Seed of a fresh ``torch.Generator()`` (``c10::default_rng_seed_val``).
DEFAULT_SEED = 67280421310721

_f16, _bf16, _f32, _f64 = np.float16, ml_dtypes.bfloat16, np.float32, np.float64
_REDUCED = (_f16, _bf16)  # the types whose kernels compute in float (at::opmath_type) and round once
_finfo = ml_dtypes.finfo  # NumPy's finfo, knowing bfloat16 too
_u64 = np.uint64
_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF
_N = 624  # mt19937 state words (MERSENNE_STATE_N)
_CHUNK = 16 * 2048  # elements per normal_fill chunk: blocks are independent
# ... per chunk on worker threads: each pass long enough (~30 us) to be worth the GIL hand-over
_PARALLEL_CHUNK = 16 * 8192
# Up to this many 32-bit words, ``MT19937.random_raw`` (and a cast) draws them for less
# than ``Generator.integers``, which spends ~5 us setting up each call; beyond, the
# latter's loop is faster (measured crossover ~1024 words).
_RAW_WORDS = 512
_RANDPERM_SMALL_N = _MASK32 // 20  # randperm: Fisher-Yates below, inside-out from here
_RANDPERM_CHUNK = 1 << 22  # random64 draws at a time in randperm's large-n branch
_SWAP_BLOCK = 1 << 14  # targeted positions resolved at a time in randperm's Fisher-Yates
_SWAP_DOUBLING = 1 << 16  # up to this n, plain pointer doubling instead of blocks

# ---------------------------------------------------------------------------
# Byte layout of CPUGeneratorImplState (CPUGeneratorImpl.cpp), as returned by
# torch.Generator.get_state() on 64-bit Linux:
#
#   struct CPUGeneratorImplStateLegacy {   // offset
#     uint64_t the_initial_seed;           //    0
#     int left;                            //    8  draws left before the next twist, + 1
#     int seeded;                          //   12
#     uint64_t next;                       //   16  index of the next state word
#     uint64_t state[624];                 //   24  the 32-bit words, widened
#     double normal_x;                     // 5016  always 0 (legacy)
#     double normal_y;                     // 5024  cached Box-Muller sample
#     double normal_rho;                   // 5032  always 0 (legacy)
#     int normal_is_valid;                 // 5040  (+ 4 bytes padding)
#   };                                     // 5048 bytes
#   struct CPUGeneratorImplState {
#     CPUGeneratorImplStateLegacy legacy_pod;
#     float next_float_normal_sample;      // 5048
#     bool is_next_float_normal_sample_valid;  // 5052 (+ 3 bytes padding)
#   };                                     // 5056 bytes
# ---------------------------------------------------------------------------
_STATE_DTYPE = np.dtype({
    "names": ["seed", "left", "seeded", "next", "state", "normal_x", "normal_y",
              "normal_rho", "normal_is_valid", "float_normal", "float_normal_is_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", _N), "<f8", "<f8", "<f8", "<i4",
                "<f4", "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": 5056,
})
#: Size in bytes of ``torch.Generator().get_state()`` for CPU generators.
STATE_SIZE = _STATE_DTYPE.itemsize


def _numpy_uint64_is_hi_lo() -> bool:
    """Whether NumPy's full-range uint64 draw from MT19937 is ``(first << 32) | second``.

    That is ATen's ``random64()``, but NumPy's C source leaves the order of the two
    draws to the compiler, so check it once on this build.
    """
    bitgen = np.random.MT19937(0)
    saved = bitgen.state
    words = bitgen.random_raw(2)
    bitgen.state = saved
    value = np.random.Generator(bitgen).integers(0, 1 << 64, size=1, dtype=np.uint64)[0]
    return int(value) == (int(words[0]) << 32) | int(words[1])


_NUMPY_UINT64_IS_HI_LO = _numpy_uint64_is_hi_lo()


class _NoSeed(np.random.bit_generator.ISeedSequence):
    """A seed sequence (NumPy's interface for seeding a bit generator) of zeros, for a
    generator whose state is set right after: ``MT19937(0)`` spends ~0.1 ms hashing its
    seed into 624 words (``SeedSequence``) that ``manual_seed`` then overwrites."""

    def generate_state(self, n_words, dtype=np.uint32):
        return np.zeros(n_words, dtype)


_NO_SEED = _NoSeed()


class CPUGenerator:
    """A PyTorch CPU generator: mt19937 plus the cached Box-Muller samples.

    Mirrors ``at::CPUGeneratorImpl``. All draw methods take an element count ``n`` and
    return a new 1-D NumPy array of ``n`` elements; they advance the generator exactly
    as the corresponding torch call on a contiguous tensor of ``n`` elements would.

    Args:
        seed: initial seed; defaults to torch's ``default_rng_seed_val``.
        capability: ``"avx2"`` (x86 with AVX2 or AVX512, what PyTorch runs on current
            x86 machines) or ``"default"`` (``ATEN_CPU_CAPABILITY=default``: no fused
            multiply-add; float32 normals of 16+ elements only approximate).

    Attributes:
        capability (str): the ATen CPU kernel being mirrored, see ``capability`` above.
    """

    def __init__(self, seed: int = DEFAULT_SEED, capability: str = "avx2"):
        self.capability = capability
        self._bitgen = np.random.MT19937(_NO_SEED)  # state set by manual_seed below
        self._words = np.random.Generator(self._bitgen)
        # RandomState's legacy seeding of an int is mt19937's init_genrand, ATen's
        # ``init_with_uint32``: the 624 words and pos 624, in C (a Python loop took ~0.3 ms)
        self._seeding = np.random.RandomState(self._bitgen)
        self._raw = self._bitgen.random_raw  # the raw 32-bit words, as uint64
        self.manual_seed(seed)

    # ------------------------------------------------------------------ seeding
    def manual_seed(self, seed: int) -> "CPUGenerator":
        """Reseed, like ``torch.Generator.manual_seed``; returns ``self``.

        The full 64-bit seed is kept for :meth:`initial_seed` but, as in ATen, only its
        low 32 bits seed the twister. Negative seeds wrap modulo 2**64. Clears the
        cached normal samples.

        Raises:
            ValueError: if ``seed`` is outside ``[-2**63, 2**64)`` (torch raises the same).
        """
        seed = int(seed)
        if not -(1 << 63) <= seed < (1 << 64):
            raise ValueError("Overflow when unpacking long long")
        seed &= _MASK64
        self._seeding.seed(seed & _MASK32)
        self._seed, self._fresh = seed, True
        self._normal_double = None  # CPUGeneratorImpl::next_double_normal_sample_
        self._normal_float = None   # next_float_normal_sample_ (kept only for get_state)
        return self

    def initial_seed(self) -> int:
        """Return the seed last set (``torch.Generator.initial_seed``)."""
        return self._seed

    def seed(self) -> int:
        """Reseed from a non-deterministic 64-bit value and return it (``Generator.seed``)."""
        new_seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(new_seed)
        return new_seed

    def _set_engine(self, seed: int, key: np.ndarray, pos: int, fresh: bool) -> None:
        self._seed = seed
        self._bitgen.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        # ATen distinguishes "just seeded" (left=1, next=0) from "block used up"
        # (left=1, next=624); NumPy has pos=624 for both, so remember which.
        self._fresh = fresh

    # -------------------------------------------------------------------- state
    def get_state(self) -> np.ndarray:
        """Return the state as ``torch.Generator().get_state().numpy()`` would.

        Returns:
            A uint8 array of :data:`STATE_SIZE` (5056) bytes laid out like ATen's
            ``CPUGeneratorImplState``.
        """
        np_state = self._bitgen.state["state"]
        pos = int(np_state["pos"])
        rec = np.zeros((), _STATE_DTYPE)
        rec["seed"] = self._seed
        rec["seeded"] = 1
        if self._fresh:
            rec["left"], rec["next"] = 1, 0
        else:  # ATen's engine keeps left + next == 625 between twists
            rec["left"], rec["next"] = _N + 1 - pos, pos
        rec["state"] = np_state["key"]
        if self._normal_double is not None:
            rec["normal_y"], rec["normal_is_valid"] = self._normal_double, 1
        if self._normal_float is not None:
            rec["float_normal"], rec["float_normal_is_valid"] = self._normal_float, 1
        return np.frombuffer(rec.tobytes(), np.uint8).copy()

    def set_state(self, state) -> None:
        """Restore a state from :meth:`get_state` or ``torch.Generator().get_state()``.

        Raises:
            TypeError: if ``state`` is not a uint8 array.
            ValueError: if it is not :data:`STATE_SIZE` bytes (torch 2.13 also rejects
                the older 5048-byte layout) or describes an invalid engine.
        """
        state = np.ascontiguousarray(state)
        if state.dtype != np.uint8:
            raise TypeError(f"RNG state must be a uint8 array, got {state.dtype}")
        if state.size != STATE_SIZE:
            raise ValueError(f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but "
                             f"found the input RNG state size to be {state.size}")
        rec = state.ravel().view(_STATE_DTYPE)[0]
        left, nxt = int(rec["left"]), int(rec["next"])
        if not (rec["seeded"] and 0 < left <= _N and nxt <= _N):
            raise ValueError("Invalid mt19937 state")
        fresh = left == 1 and nxt == 0
        if not fresh and left + nxt != _N + 1:
            raise ValueError(f"unsupported mt19937 position: left={left}, next={nxt} "
                             "(states produced by torch always have left + next == 625)")
        key = (rec["state"] & _u64(_MASK32)).astype(np.uint32)
        self._set_engine(int(rec["seed"]), key, pos=_N if left == 1 else nxt, fresh=fresh)
        self._normal_double = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self._normal_float = float(rec["float_normal"]) if rec["float_normal_is_valid"] else None

    def clone(self) -> "CPUGenerator":
        """Return an independent copy with the same state (``Generator.clone_state``)."""
        other = CPUGenerator(0, self.capability)
        other.set_state(self.get_state())
        return other

    # ------------------------------------------------------------ raw draws
    def random32(self, n: int) -> np.ndarray:
        """``n`` draws of ``CPUGeneratorImpl::random()``: uint32 words of the twister."""
        if n <= 0:
            return np.empty(0, np.uint32)
        self._fresh = False
        if n <= _RAW_WORDS:
            return self._raw(n).astype(np.uint32)
        # NumPy's full-range uint32 draw returns the raw mt19937 word, unmodified
        # (tests/test_rng.py checks this against ``random_raw``).
        return self._words.integers(0, 1 << 32, size=n, dtype=np.uint32)

    def _words32(self, n: int):
        """``random32(n)`` for an even ``n``, possibly with the two words of each pair
        swapped: returns ``(words, swapped)``. Where NumPy's uint64 draw is ATen's
        ``random64()`` it is used (one C loop for two words, faster than the uint32
        draw), and its uint32 view holds each pair low word first: swapped."""
        if n <= _RAW_WORDS or not _NUMPY_UINT64_IS_HI_LO:
            return self.random32(n), False
        self._fresh = False
        return self._words.integers(0, 1 << 64, size=n // 2, dtype=_u64).view(np.uint32), True

    def random64(self, n: int) -> np.ndarray:
        """``n`` draws of ``random64()``: ``(first << 32) | second`` as uint64."""
        if n <= 0:
            return np.empty(0, _u64)
        self._fresh = False
        if 2 * n <= _RAW_WORDS:
            w = self._raw(2 * n)  # (uint64 already)
        elif _NUMPY_UINT64_IS_HI_LO:  # same words, one C loop
            return self._words.integers(0, 1 << 64, size=n, dtype=_u64)
        else:
            w = self.random32(2 * n).astype(_u64)
        return (w[0::2] << _SHIFT32) | w[1::2]

    # -------------------------------------------------------------- uniform
    def _unit(self, n: int, dtype) -> np.ndarray:
        """``uniform_real_distribution(0, 1)``: ``(r & (2**digits - 1)) * 2**-digits``.

        float32 (and float16/bfloat16, whose kernels compute in float) uses the low 24 bits of one
        ``random()``; float64 the low 53 bits of one ``random64()``.
        """
        if dtype == _f64:
            r = self.random64(n)
            r &= _u64((1 << 53) - 1)
            x = r.view(np.int64).astype(_f64)
            x *= 2.0 ** -53
            return x
        w = self.random32(n)
        w &= 0xFFFFFF
        x = w.view(np.int32).astype(_f32)
        x *= _f32(2.0 ** -24)
        return x

    def uniform(self, n: int, low: float = 0.0, high: float = 1.0, dtype=np.float32) -> np.ndarray:
        """Draw like ``Tensor.uniform_(low, high)`` (and ``torch.rand`` for 0, 1).

        Each value is ``x * (high - low) + low`` computed in the kernel's precision
        (float for float16/bfloat16/float32, double for float64) with one rounding under the
        AVX2 kernel, then cast; a value that rounds to ``high`` becomes ``low``.

        Args:
            n: number of elements.
            low, high: bounds, as Python floats (torch casts them to the dtype).
            dtype: float16, bfloat16, float32 or float64.

        Raises:
            ValueError: if ``low > high``.
        """
        dtype = np.dtype(dtype).type
        if dtype not in (_f16, _bf16, _f32, _f64):
            raise TypeError(f"uniform: unsupported dtype {np.dtype(dtype)}")
        if not low <= high:
            raise ValueError(f"uniform_ expects to return a [from, to) range, but found from={low} > to={high}")
        acc = _f64 if dtype == _f64 else _f32  # at::opmath_type
        x = self._unit(n, acc)
        lo, hi = acc(low), acc(high)
        if lo == 0 and hi == 1:  # x * 1 + 0 == x exactly
            v = x
        elif self.capability == "default":
            v = x * (hi - lo) + lo
        else:
            v = (fma64 if acc == _f64 else fma32)(x, hi - lo, lo)
        v = v.astype(dtype, copy=False)
        return np.where(v == dtype(high), dtype(low), v)

    # --------------------------------------------------------------- normal
    def normal(self, n: int, mean: float = 0.0, std: float = 1.0, dtype=np.float32,
               contiguous: bool = True, out: np.ndarray | None = None) -> np.ndarray:
        """Draw like ``Tensor.normal_(mean, std)`` (``torch.randn``, ``torch.normal``).

        A contiguous tensor of 16 or more elements uses ``normal_fill`` (Box-Muller on
        blocks of 16 uniforms, no cache); anything else uses the scalar
        ``normal_distribution<double>``, which returns ``r*cos`` and caches ``r*sin``
        for the next call.

        Args:
            n: number of elements.
            mean, std: as Python floats.
            dtype: float16, bfloat16, float32 or float64.
            contiguous: False for a non-contiguous target (always the scalar path; the
                caller writes the values in TensorIterator order).
            out: where to write the ``n`` values (a contiguous 1-D array of ``dtype``: the
                target tensor's own memory, saving a temporary and a copy), or None.

        Returns:
            ``out``, or a new array.

        Raises:
            ValueError: if ``std < 0``.
        """
        dtype = np.dtype(dtype).type
        if dtype not in (_f16, _bf16, _f32, _f64):
            raise TypeError(f"normal: unsupported dtype {np.dtype(dtype)}")
        if not std >= 0.0:
            raise ValueError(f"normal expects std >= 0.0, but found std {std}")
        if n >= 16 and contiguous and dtype not in _REDUCED and out is not None:
            values = self._normal_fill(n, mean, std, dtype, out)
        elif n >= 16 and contiguous:
            values = self._normal_fill(n, mean, std, dtype)
        else:
            values = self._normal_scalar(n, mean, std)  # doubles, cast as C++ casts them:
            values = (values.astype(_f32) if dtype in _REDUCED else values).astype(dtype)  # (Half from a float)
        if out is None or values is out:
            return values
        out[...] = values
        return out

    def _normal_scalar(self, n: int, mean: float, std: float) -> np.ndarray:
        """``at::normal_distribution<double>`` n times, in float64.

        ``u1, u2`` are float64 uniforms; ``r = sqrt(-2 log1p(-u2))``, ``theta = 2 pi u1``;
        the draw is ``r cos(theta)`` and ``r sin(theta)`` is cached for the next one.
        """
        out = np.empty(n, _f64)
        k = 0
        if n and self._normal_double is not None:
            out[0], self._normal_double, k = self._normal_double, None, 1
        pairs = (n - k + 1) // 2
        if pairs:
            u = self._unit(2 * pairs, _f64)
            u1, u2 = u[0::2], u[1::2]
            r = np.sqrt(-2.0 * _libm(math.log1p, -u2))
            theta = 2.0 * math.pi * u1
            both = np.empty(2 * pairs, _f64)
            both[0::2] = r * _libm(math.cos, theta)
            both[1::2] = r * _libm(math.sin, theta)
            out[k:] = both[: n - k]
            if (n - k) % 2:  # the last sin value was not used: cache it
                self._normal_double = float(both[-1])
        if self.capability == "default":
            return out * std + mean
        return fma64(out, _f64(std), _f64(mean))  # val * std + mean, contracted

    def _normal_fill(self, n: int, mean: float, std: float, dtype, out=None) -> np.ndarray:
        """``normal_fill``: Box-Muller on blocks of 16 uniforms (``u1 = 1 - x[0:8]``,
        ``u2 = x[8:16]``, giving ``[r cos | r sin]``), then ``val * std + mean``.

        float32/float64 first draw all ``n`` uniforms into the output; if ``n % 16``,
        16 fresh uniforms then overwrite the last 16 slots and are transformed again.
        float16 and bfloat16 compute in float32 on a 16-element buffer, so they draw only the full
        blocks plus the 16 tail uniforms.
        """
        acc = _f64 if dtype == _f64 else _f32
        full = n - n % 16
        if out is None:  # (else: the caller's float32/float64 array, written in place)
            out = np.empty(n, acc)
        if acc == _f32 and self.capability != "default":  # the AVX2 kernel, from raw words
            self._box_muller32(full, out)
            if n % 16:
                if dtype not in _REDUCED:  # drawn into the last partial block, then overwritten
                    self.random32(n % 16)
                box_muller = _BoxMuller32(16)
                box_muller.fill(self.random32(16), False, out[n - 16:])
        else:
            data = self._unit(n if dtype not in _REDUCED else full, acc)
            for start in range(0, full, _CHUNK):
                stop = min(start + _CHUNK, full)
                out[start:stop] = self._fill16(data[start:stop], acc)
            if n % 16:
                out[n - 16:] = self._fill16(self._unit(16, acc), acc)
        std, mean = acc(std), acc(mean)  # fused: std::fma (scalar kernel), fmadd (AVX2)
        if std == 1 and mean == 0:
            if acc != _f32 or self.capability == "default":  # (_BoxMuller32 has no -0)
                out += acc(0)  # fma(v, 1, 0) == v + 0 exactly (turns -0 into +0)
        else:
            out = fma64(out, std, mean) if acc == _f64 else fma32(out, std, mean, out)
        return out.astype(dtype, copy=False)

    def _box_muller32(self, full: int, out: np.ndarray) -> None:
        """The AVX2 float32 ``normal_fill`` of ``out[:full]`` (``full``: a multiple of 16),
        by chunks: the blocks are independent, so each chunk can be filled apart from the
        others once its words are drawn (in order). With ``get_num_threads() > 1`` and
        at least two chunks of :data:`_PARALLEL_CHUNK`, this thread and worker threads
        take the chunks in turn: each draws the next chunk's words (under a lock, so the
        stream is consumed in order) and fills it (same values as one thread)."""
        threads = min(get_num_threads(), full // _PARALLEL_CHUNK)
        chunk = _PARALLEL_CHUNK if threads > 1 else _CHUNK  # (small chunks keep one thread in cache)
        starts = iter(range(0, full, chunk))
        drawing = threading.Lock()

        def run():
            box_muller = _BoxMuller32(min(full, chunk))
            while True:
                with drawing:
                    start = next(starts, None)
                    if start is None:
                        return
                    stop = min(start + chunk, full)
                    words, swapped = self._words32(stop - start)
                if stop - start != box_muller.size:  # the last chunk, shorter
                    box_muller = _BoxMuller32(stop - start)
                box_muller.fill(words, swapped, out[start:stop])

        helpers = []
        try:
            if threads > 1:
                pool = worker_pool(threads - 1)
                for _ in range(threads - 1):
                    helpers.append(pool.submit(run))
        except RuntimeError:  # no new work after interpreter shutdown (an atexit handler):
            pass              # the threads started so far and this one fill every chunk
        try:
            run()
        finally:  # (the helpers write into ``out``: never return before they are done)
            for helper in helpers:
                helper.result()

    def _fill16(self, x: np.ndarray, dtype) -> np.ndarray:
        """``NormalFill16`` (before ``* std + mean``) on blocks of 16 values of ``x``:
        float64, and float32 on the ``DEFAULT`` kernel."""
        x = x.reshape(-1, 16)
        if dtype == _f64:  # scalar template: glibc log/cos/sin
            u1, u2 = 1.0 - x[:, :8], x[:, 8:]
            radius = np.sqrt(-2.0 * _libm(math.log, u1))
            theta = 2.0 * math.pi * u2
            n1, n2 = radius * _libm(math.cos, theta), radius * _libm(math.sin, theta)
        else:  # glibc logf/cosf/sinf: approximated
            u1, u2 = _f32(1) - x[:, :8], x[:, 8:]
            radius = np.sqrt(_f32(-2) * np.log(u1.astype(_f64)).astype(_f32))
            theta = (2.0 * math.pi * u2.astype(_f64)).astype(_f32)
            n1 = radius * np.cos(theta.astype(_f64)).astype(_f32)
            n2 = radius * np.sin(theta.astype(_f64)).astype(_f32)
        return np.concatenate([n1, n2], axis=1).ravel()

    # ------------------------------------------------------------- integers
    def randint(self, n: int, low: int, high: int, dtype=np.int64) -> np.ndarray:
        """Draw like ``torch.randint(low, high, (n,))`` / ``Tensor.random_(low, high)``.

        Each value is ``(r % (high - low)) + low`` with ``r = random()`` when the range
        is below 2**28 and ``r = random64()`` otherwise, computed in 64-bit integers and
        cast to ``dtype``. For a floating ``dtype`` the bounds are first moved inside
        the integers the dtype can represent (``update_from``/``update_to``). The full
        range ``low = -2**63, high = 2**63`` (``random_(-2**63, None)``) takes
        ``random64()`` as a signed 64-bit value.

        Raises:
            ValueError: if ``low >= high`` (after the floating-point adjustment).
        """
        dt = np.dtype(dtype)
        low, high = int(low), int(high)
        if high - low == 1 << 64:  # random_full_64_bits_range_kernel
            return self.random64(n).view(np.int64).astype(dt, copy=False)
        if _is_float(dt):
            low, high = _update_from(low, dt), _update_to(high, dt)
        if low >= high:
            raise ValueError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
        span = (high - low) & _MASK64
        if span < (1 << 28):  # random() % span: the remainder in 32-bit arithmetic (~4x faster)
            r = self.random32(n)
            np.remainder(r, np.uint32(span), out=r)
            v = r.astype(np.int64)
            v += low  # (low <= v < high: no wrap)
        else:
            v = (self.random64(n) % _u64(span) + _u64(low & _MASK64)).view(np.int64)
        return v.astype(dt, copy=False)

    def random_(self, n: int, dtype=np.int64) -> np.ndarray:
        """Draw like ``Tensor.random_()`` with no bounds (``uniform_int_distribution``).

        int64: ``random64() % 2**63``; float64: ``random64() % (2**53 + 1)``; other
        integer types: ``random() % (max + 1)``; float32/float16/bfloat16:
        ``random() % (2**digits + 1)``; bool: ``random() & 1``. For example
        ``torch.empty((), dtype=torch.int64).random_()`` (DataLoader's base seed) is
        ``random_(1)[0]``.
        """
        dt = np.dtype(dtype)
        if dt == np.bool_:
            return (self.random32(n) & 1).astype(np.bool_)
        if _is_float(dt):
            modulus = (1 << (_finfo(dt).nmant + 1)) + 1
        elif dt.kind in "iu":
            modulus = int(np.iinfo(dt).max) + 1
        else:
            raise TypeError(f"random_: unsupported dtype {dt}")
        r = self.random64(n) if dt in (np.int64, np.float64) else self.random32(n).astype(_u64)
        return (r % _u64(modulus)).astype(dt)

    def randperm(self, n: int, dtype=np.int64) -> np.ndarray:
        """Draw like ``torch.randperm(n)``.

        For ``n < 2**32 // 20``: Fisher-Yates, swapping ``i`` with
        ``i + random() % (n - i)`` for ``i = 0 .. n-2`` (``n - 1`` draws), the swaps
        applied without a Python loop (:func:`_apply_swaps`). Larger ``n``: torch's
        inside-out shuffle, ``z = random64() % (i + 1)`` then ``r[i] = r[z]; r[z] = i``
        for ``i = 0 .. n-1`` (``n`` draws of ``random64``), also without a loop over
        the elements (:func:`_inside_out`).
        """
        n = int(n)
        if n < 0:
            raise ValueError(f"randperm expects n >= 0, but got n={n}")
        if n < _RANDPERM_SMALL_N:
            offsets = self.random32(max(n - 1, 0))
            offsets %= np.arange(n, 1, -1, dtype=np.uint32)  # step i: random() % (n - i)
            return _apply_swaps(n, offsets, dtype)
        index = np.int32 if n <= 1 << 31 else np.int64  # half the memory at these sizes
        z = np.empty(n, index)
        for start in range(0, n, _RANDPERM_CHUNK):  # the uint64 draws, a chunk at a time
            stop = min(start + _RANDPERM_CHUNK, n)
            draws = self.random64(stop - start)
            draws %= np.arange(start + 1, stop + 1, dtype=_u64)
            z[start:stop] = draws
        return _inside_out(z).astype(dtype, copy=False)

    def bernoulli(self, n: int, p, dtype=np.float32) -> np.ndarray:
        """Draw like ``Tensor.bernoulli_(p)`` (scalar ``p``) or ``torch.bernoulli(p)``.

        A Python float ``p`` (and a float64 array) uses ``bernoulli_distribution<double>``:
        a 53-bit float64 uniform ``< p``. A float32/float16 array ``p`` (one value per
        element, already broadcast to ``n``) uses ``bernoulli_distribution<float>``: a
        24-bit float32 uniform ``< float32(p)``.

        Note:
            Verified against torch on an AMD CPU only. For a scalar ``p``, MKL builds of
            torch on Intel CPUs take another path (one ``random()`` seeds an MKL VSL
            MCG31 stream), which this does not reproduce. The tensor-``p`` form does
            not depend on the CPU vendor.
        """
        if isinstance(p, np.ndarray) and p.dtype != _f64:
            return (self._unit(n, _f32) < p.astype(_f32).ravel()).astype(dtype)
        p = np.asarray(p, _f64)
        return (self._unit(n, _f64) < (p.ravel() if p.ndim else p)).astype(dtype)


# ---------------------------------------------------------------------------
# randperm's swaps
# ---------------------------------------------------------------------------
def _apply_swaps(n: int, offsets: np.ndarray, dtype=np.int64) -> np.ndarray:
    """The result of Fisher-Yates on ``a = arange(n)``: for ``i = 0, 1, ..., n-2`` in
    turn, swap ``a[i]`` and ``a[target[i]]``, ``target[i] = i + offsets[i]`` (uint32
    ``offsets``, ``0 <= offsets[i] < n - i``), without a loop over the elements.
    ``n`` must be below 2**31; returns ``dtype``.

    After step ``i`` position ``i`` is final: it holds what position ``target[i]`` held
    just before step ``i``. Position ``p`` is touched before its own step only by the
    steps ``k < p`` with ``target[k] == p``, each of which leaves there what position
    ``k`` held before step ``k``, call it ``held[k]``. So, taking the steps of one
    target in increasing order, the first one gets the untouched ``target[i]`` and each
    later one gets ``held`` of the one before it; ``held[p]`` is ``held[last(p)]``,
    ``last(p)`` being the last step with target ``p`` if there is one, else the
    original ``p``. A step whose target is itself (``offsets[i] == 0``, and step
    ``n-1``: few, about ``log(n)``) moves nothing and gets ``held[i]``: it is kept out
    of the groups.

    One sort of the steps by (target, step) gives the groups. ``held`` follows chains
    ``p -> last(p) -> ...`` (decreasing; about half the positions have a ``last``, and
    chains halve in number at each link): up to ``n =`` :data:`_SWAP_DOUBLING` by
    pointer doubling over all positions (about five passes), beyond that in increasing
    ``p``, block after block (:func:`_resolve_in_blocks`), where most links cost one
    gather and the arrays are too big for the cache. The loops are over passes and
    blocks, not elements.

    Fresh memory costs here about as much as the work (page faults), so the arrays are
    few and reused: the sort key holds the step in its low word and the target in its
    high word (``n`` for the steps kept out, sorted last), and becomes the steps as
    indices once the groups are known.
    """
    steps = max(n - 1, 0)
    key = np.arange(n, dtype=_u64)  # the step in the low word; the high word gets its target
    words = key.view(np.uint32).reshape(n, 2)
    step_w, target_w = (words[:, 0], words[:, 1]) if np.little_endian else (words[:, 1], words[:, 0])
    np.add(offsets, step_w[:steps], out=target_w[:steps])
    out = target_w.astype(np.int32)  # a step first in its group gets its own target
    itself = offsets == 0
    target_w[:steps][itself] = n  # out of the groups, sorted last
    target_w[steps:] = n  # step n-1 swaps n-1 with itself
    m = steps - int(np.count_nonzero(itself))  # the steps that swap two positions
    if m == 0:
        return np.arange(n, dtype=dtype)
    key.sort()  # by (target, step)
    group_end = np.empty(m, bool)
    np.not_equal(target_w[1:m + 1], target_w[:m], out=group_end)  # (n after the last)
    position = key.take(np.flatnonzero(group_end))  # (p, last(p)) for each targeted p
    last = (position & _u64(_MASK32)).view(np.int64)
    position >>= _u64(32)
    position = position.view(np.int64)
    key &= _u64(_MASK32)
    step = key.view(np.int64)  # in place: the steps, sorted, as indices
    del key, words, step_w, target_w
    # held[p] for every position (p where untouched; then held[p] == p: a root).
    held = np.arange(n, dtype=np.int32)
    held[position] = last  # first the links
    if n <= _SWAP_DOUBLING:
        # Plain pointer doubling over all positions: more work than the blocks below,
        # but fewer NumPy calls, and it all stays in cache at these sizes.
        while True:
            jumped = held.take(held)
            if np.array_equal(jumped, held):
                break
            held = jumped
    else:
        _resolve_in_blocks(held, position, last)
    del position, last
    # A step that is not first of its group gets held[the step before it in the group];
    # one that swaps with itself gets its own held.
    later = np.flatnonzero(~group_end[:-1])
    out[step[1:].take(later)] = held.take(step.take(later))
    kept_out = step[m:]
    out[kept_out] = held.take(kept_out)
    return out.astype(dtype, copy=False)


def _resolve_in_blocks(held: np.ndarray, position: np.ndarray, link: np.ndarray) -> None:
    """Resolve, in place, ``held[p] = held[link]`` for the increasing positions
    ``position`` (``link < position``; ``held[position]`` already holds ``link``, every
    other ``held[r]`` is ``r``), :data:`_SWAP_BLOCK` positions at a time: ``held`` is
    final below a block, so a link there is one gather; a link inside the block read
    a pointer, not yet a value, and is followed by jumping through the block's already
    advanced pointers (``held[r] == r`` ends a chain). The loop is over blocks."""
    for b in range(0, position.size, _SWAP_BLOCK):
        where, first = position[b:b + _SWAP_BLOCK], link[b:b + _SWAP_BLOCK]
        start = where[0]  # held[p] is final for every p < start
        value = held.take(first)
        held[where] = value
        chase = (first >= start) & (value != first)
        where, read = np.compress(chase, where), np.compress(chase, value)
        while where.size:
            value = held.take(read)
            held[where] = value
            chase = (read >= start) & (value != read)
            where, read = np.compress(chase, where), np.compress(chase, value)


def _inside_out(z: np.ndarray) -> np.ndarray:
    """The result of ``r[i] = r[z[i]]; r[z[i]] = i`` for ``i = 0, 1, ..., n-1`` in turn
    (the "inside-out" Fisher-Yates of ``randperm``'s large-``n`` branch), where
    ``0 <= z[i] <= i``, without a loop over the elements.

    Step ``i`` writes ``i`` at position ``z[i]`` and, before that, what position
    ``z[i]`` held at position ``i``. So position ``p`` ends with the last step ``i`` with
    ``z[i] == p`` if there is one (``i >= p``), else with what step ``p`` put there,
    ``set[p]``: ``p`` if ``z[p] == p``; else the last step ``k < p`` with ``z[k] ==
    z[p]`` if there is one (it wrote ``k`` at ``z[p]``; ``k >= z[p]``), else
    ``set[z[p]]``, untouched since step ``z[p]`` (and ``z[p] < p``). One sort of the steps by target gives each step the previous one with
    the same target; the chains ``p -> z[p] -> ...`` are then followed for the steps
    still unresolved (about half, most chains one or two links long). Returns int64.
    """
    n = z.shape[0]
    if n == 0:
        return np.empty(0, np.int64)
    index = z.dtype.type
    key = z.astype(np.int64)
    key <<= 32
    key |= np.arange(n, dtype=np.int64)
    key.sort()  # by target, then by step
    step = (key & _MASK32).astype(index)
    key >>= 32
    target = key.astype(index)
    del key
    # In this order: the previous step with the same target (-1 for a group's first).
    same = np.empty(n, bool)
    same[0] = False
    np.equal(target[1:], target[:-1], out=same[1:])
    prev = np.empty(n, index)
    prev[0] = -1
    prev[1:] = step[:-1]
    prev[~same] = -1
    # set[step] where known: the step itself or ``prev``; -1: set[z[step]], resolved below.
    value = np.empty(n, index)
    value[step] = np.where(step == target, step, prev)
    del prev
    # The last step into each position that some step targets.
    last = np.empty(n, bool)
    np.logical_not(same[1:], out=last[:-1])
    last[-1] = True
    del same
    later_position, later_step = target[last], step[last]
    del step, target, last
    # Unresolved steps take set[z[p]], following z until a resolved entry.
    active = np.flatnonzero(value < 0)
    pointer = z[active]
    while active.size:
        found = value[pointer]
        hit = found >= 0
        value[active[hit]] = found[hit]
        miss = ~hit
        active, pointer = active[miss], z[pointer[miss]]
    out = value.astype(np.int64)
    out[later_position] = later_step
    return out


# ---------------------------------------------------------------------------
# Integer bounds for floating dtypes (native/DistributionTemplates.h)
# ---------------------------------------------------------------------------
def _is_float(dt: np.dtype) -> bool:
    """Whether ``dt`` is a floating-point type (NumPy's kind ``f``, or bfloat16, kind ``V``)."""
    return dt.kind == "f" or dt == _bf16


def _as_int64(value: float) -> int:
    """``static_cast<int64_t>`` of a finite float (truncation)."""
    return int(value)


def _update_from(low: int, dt: np.dtype) -> int:
    """``update_from<scalar_t>``: raise ``low`` if ``low + 1`` rounds below it in ``dt``."""
    from_plus_1 = _as_int64(dt.type(low + 1))
    if from_plus_1 < low:
        k = abs(low + 1).bit_length() - 1
        low = from_plus_1 + (1 << (k - _finfo(dt).nmant))
    return low


def _update_to(high: int, dt: np.dtype) -> int:
    """``update_to<scalar_t>``: lower ``high`` if ``high - 1`` rounds up to it in ``dt``."""
    to_minus_1 = _as_int64(dt.type(high - 1))
    if to_minus_1 >= high:
        k = abs(high - 1).bit_length() - 1
        high = to_minus_1 - (1 << (k - _finfo(dt).nmant))
    return high


# ---------------------------------------------------------------------------
# Float helpers
# ---------------------------------------------------------------------------
def _libm(fn, x: np.ndarray) -> np.ndarray:
    """Apply a C libm function element-wise through :mod:`math`.

    ``math.log`` etc. call the same glibc functions libtorch calls; NumPy's SIMD
    ``np.log``/``np.log1p`` differ from glibc in the last bit for some inputs.
    """
    flat = np.asarray(x, _f64).ravel()
    return np.fromiter(map(fn, flat.tolist()), _f64, flat.size).reshape(np.shape(x))


# avx_mathfun.h (Cephes, via Julien Pommier's SSE/AVX port): the AVX2 ``NormalFill16<float>``.
# GCC turns each "multiply then add" pair of it into an FMA (-ffp-contract=fast, -mfma).
_LOG_P = [_f32(v) for v in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1,
                             -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
                             2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]
_LOG_Q1, _LOG_Q2 = _f32(-2.12194440e-4), _f32(0.693359375)
_SQRTHF = _f32(0.707106781186547524)
_DP = [_f32(-0.78515625), _f32(-2.4187564849853515625e-4), _f32(-3.77489497744594108e-8)]
_SINC = [_f32(-1.9515295891E-4), _f32(8.3321608736E-3), _f32(-1.6666654611E-1)]
_COSC = [_f32(2.443315711809948E-005), _f32(-1.388731625493765E-003),
         _f32(4.166664568298827E-002)]
_FOPI = _f32(1.27323954473516)  # 4 / pi
_TWO_PI_2_24 = _f32(2 * math.pi) * _f32(2.0 ** -24)  # 2pi * u2 == this * k2 (exact scaling)


def _grid(e: int) -> float:
    """The float64 ``M`` with ``(t + M) - M`` == ``t`` rounded to float32 in ``[2**(e-1), 2**e)``.

    ``M = 1.5 * 2**(e + 28)``: ``t + M`` lies in ``[2**(e+28), 2**(e+29))``, whose float64
    spacing ``2**(e-24)`` is float32's spacing in the binade of ``t``, and ``M`` is an even
    multiple of it, so round-half-even picks the same neighbour as a float32 rounding;
    the subtraction is exact. Only valid where every ``t`` stays in that binade.
    """
    return 1.5 * 2.0 ** (e + 28)


# Fixed binades of some FMA results over all 2**24 inputs (checked by the exhaustive test):
# the last step of the log polynomial lies in [0.25, 0.5); the first two steps of the
# cosine polynomial in [2**-10, 2**-9) and [2**-5, 2**-4), of the sine in [2**-7, 2**-6)
# and [2**-3, 2**-2).
_M_LOG_P8 = _grid(-1)
# Rounding a float64 to float32 precision in place, on its bits: add half of float32's
# spacing (2**28 units of the last place) and clear the 29 bits float32 does not keep.
# That rounds halfway cases away from zero, not to even; no float64 sum here lies
# exactly halfway (the exhaustive test again). Two integer passes, cheaper than a cast
# to float32 and back.
_HALF_ULP32 = np.array(1 << 28, np.int64)
_KEEP_FLOAT32_BITS = np.array(-(1 << 29), np.int64)


def _round_float32(bits: np.ndarray) -> None:
    """Round the float64 values whose int64 view is ``bits`` to float32 precision."""
    np.add(bits, _HALF_ULP32, out=bits)
    np.bitwise_and(bits, _KEEP_FLOAT32_BITS, out=bits)
_M_COS = (_grid(-9), _grid(-4))
_M_SIN = (_grid(-6), _grid(-2))


# Every operand of the passes below is made once, as a 0-d array of the pass's dtype: a
# NumPy scalar or a Python number is turned into one on each ufunc call (~0.15 us; a
# block of values takes about 110 calls, so this is most of the time of a small draw).
# ``_copyto`` is the C function behind ``np.copyto``, without its ``__array_function__``
# dispatch (~0.2 us a call).
_copyto = getattr(np.copyto, "_implementation", np.copyto)
_smallest = np.minimum.reduce
_i32 = np.int32


def _const(value, dtype) -> np.ndarray:
    return np.array(value, dtype)


_LOW24, _LOW24_PAIR, _SHIFT32 = _const(0xFFFFFF, np.uint32), _const(0x00FFFFFF00FFFFFF, _u64), _const(32, _u64)
_TWO_24 = _const(1 << 24, np.uint32)
_SQRTHF_BITS = _const(0x3F3504F3, _i32)  # the bits of float32 sqrt(1/2)
_ONE_MINUS_SQRTHF_BITS = _const(0x3F800000 - 0x3F3504F3, _i32)
_MANTISSA_BITS, _EXP_SHIFT, _EXP_BIAS_24 = _const(0x7FFFFF, _i32), _const(23, _i32), _const(127 + 24, _i32)
_F32_ZERO, _F32_ONE, _F32_HALF, _F32_MINUS_TWO = (_const(v, _f32) for v in (0, 1, 0.5, -2))
_F64_ONE, _F64_HALF = _const(1.0, _f64), _const(0.5, _f64)
_LOG_P0 = _const(_LOG_P[0], _f64)
_LOG_HORNER = [_const(p, _f64) for p in _LOG_P[1:-1]]  # the steps rounded on the bits
_LOG_P8_GRID, _M_LOG = _const(_f64(_LOG_P[-1]) + _M_LOG_P8, _f64), _const(_M_LOG_P8, _f64)
_LOG_Q1_32, _LOG_Q2_32 = _const(_LOG_Q1, _f32), _const(_LOG_Q2, _f32)
_ANGLE_SCALE = _const(_TWO_PI_2_24, _f32)
_OCTANT_ROUND, _OCTANT_SHIFT = _const(1 << 21, _i32), _const(22, _i32)
_DP12_32 = [_const(_f32(2) * dp, _f32) for dp in _DP[:2]]  # j * dp exact in float32
_DP3_64 = _const(_f64(2) * _f64(_DP[2]), _f64)
_SHIFT9, _SHIFT8, _SHIFT31, _SIGN32 = _const(9, _i32), _const(8, _i32), _const(31, _i32), _const(-(1 << 31), _i32)


def _poly3_constants(k, magic):
    """The operands of :func:`_poly3` for the coefficients ``k`` and binade constants ``magic``."""
    return tuple(_const(v, _f64) for v in (k[0], _f64(k[1]) + magic[0], magic[0], _f64(k[2]) + magic[1], magic[1]))


_COS_POLY, _SIN_POLY = _poly3_constants(_COSC, _M_COS), _poly3_constants(_SINC, _M_SIN)


def _poly3(z64, constants, out):
    """``out = ((k0 z + k1) z + k2) z`` on float64 arrays holding float32 values, the first
    two steps each one single-rounding FMA: ``(t + M) - M`` with the binade constants of
    ``constants`` (from :func:`_poly3_constants`; the sincos polynomials of
    :class:`_BoxMuller32`)."""
    k0, k1_grid, m1, k2_grid, m2 = constants
    np.multiply(z64, k0, out=out)
    np.add(out, k1_grid, out=out)
    np.subtract(out, m1, out=out)
    np.multiply(out, z64, out=out)
    np.add(out, k2_grid, out=out)
    np.subtract(out, m2, out=out)
    np.multiply(out, z64, out=out)


class _BoxMuller32:
    """The AVX2 ``NormalFill16<float>`` (``log256_ps``, ``sincos256_ps``) on raw words.

    A block of 16 words ``w`` gives ``k = w & 0xFFFFFF`` (the 24-bit uniforms
    ``k * 2**-24``); its first 8 values make the radii ``sqrt(-2 log(1 - u))`` and its
    last 8 the angles ``2 pi u``. The output is ``[r cos | r sin]``.

    The polynomials run in float64 arrays that hold float32 values. A fused
    multiply-add ``y * x + c`` is an exact float64 product plus a float64 sum, rounded
    to float32 once, in one of two ways:

    * where the result stays in one binade for all inputs, by adding and subtracting
      the float64 constant of :func:`_grid` (``c + M`` is exact, so the one float64
      rounding of the sum is the float32 rounding: a true FMA);
    * elsewhere by rounding the float64 sum to float32 precision: a float32 cast, or
      :func:`_round_float32` on the bits where the value stays in float64. That is a
      double rounding, equal to the FMA unless the float64 sum lands on a float32
      midpoint.

    A few steps use an equivalent float64 form: ``fma(c, z, -z/2)`` as ``z * (c - 1/2)``
    and ``fma(s, x, x)`` as ``x * (s + 1)``, each rounded to float32 once. Whether all
    of this is exact needs no argument: the radius depends only on the 24 bits of its
    word and the angle only on the 24 bits of its own, and ``tests/test_rng.py`` runs all
    2**24 values of each through this class and through a lane-by-lane port that
    computes every FMA with a single rounding: identical bits.
    Multiply-adds whose product is exact in float32 (``e * ln2_hi``, ``j * DP1``,
    ``j * DP2``) are plain float32 operations, as are the C code's own float32 ones.

    The arithmetic runs in place in buffers made once per size (an instance serves blocks
    of exactly ``size`` words), each block of values is separated into its ``u1`` and
    ``u2`` halves with one copy of 32-byte items (8 float32), and selections use integer
    masks, not ``np.where``.
    """

    def __init__(self, size: int):
        half = max(size, 16) // 2
        self.size = 2 * half
        k1, k2 = np.empty(half, np.uint32), np.empty(half, np.uint32)
        f = [np.empty(half, _f32) for _ in range(6)]
        i = [np.empty(half, _i32) for _ in range(2)]
        d = [np.empty(half, _f64) for _ in range(4)]
        self._k1, self._k2, self._k_items = k1, k2, (k1.view("V32"), k2.view("V32"))
        self._products, self._product_items = (f[0], f[1]), (f[0].view("V32"), f[1].view("V32"))
        self._low = d[0].view(_u64)
        # _radius's and _sincos's buffers (shared: one runs after the other; the radius,
        # in f[2], stays until the products), with the integer views they use
        self._radius_buffers = (f[0], f[1], f[2], f[4], f[5], f[5].view(_i32), i[0], d[0], d[1],
                                d[1].view(np.int64), d[2])
        self._sincos_buffers = (f[0], f[1], f[4], f[5], f[3], i[0], i[1], d[0], d[1], d[2], d[3],
                                f[5].view(_i32), f[3].view(_i32), f[1].view(_i32))

    def fill(self, words: np.ndarray, swapped: bool, out: np.ndarray) -> None:
        """Write ``NormalFill16`` of ``words`` (uint32, ``self.size`` of them; modified) to
        ``out`` (float32, same size), before ``* std + mean`` but with the ``+ 0`` of
        ``fma(v, 1, 0)`` done: no negative zeros. ``swapped``: the two words of each
        pair are in the other order (see ``CPUGenerator._words32``)."""
        if swapped:  # keep the low 24 bits of each word and swap them back
            pairs, low = words.view(_u64), self._low
            np.bitwise_and(pairs, _LOW24_PAIR, out=pairs)
            np.left_shift(pairs, _SHIFT32, out=low)
            np.right_shift(pairs, _SHIFT32, out=pairs)
            np.bitwise_or(pairs, low, out=pairs)
        else:
            np.bitwise_and(words, _LOW24, out=words)
        blocks = words.view("V32")  # 8 words per item: u1 halves at even, u2 at odd items
        k1_items, k2_items = self._k_items
        _copyto(k1_items, blocks[0::2])
        _copyto(k2_items, blocks[1::2])
        zero_radius = not _smallest(self._k1)  # the only zero radius is -0, from k1 == 0
        radius = self._radius(self._k1)
        sin, cos = self._sincos(self._k2)
        n1, n2 = self._products
        np.multiply(radius, cos, out=n1)
        np.multiply(radius, sin, out=n2)
        halves = out.view("V32")
        n1_items, n2_items = self._product_items
        _copyto(halves[0::2], n1_items)
        _copyto(halves[1::2], n2_items)
        if zero_radius:
            out += _F32_ZERO

    def _radius(self, k1: np.ndarray) -> np.ndarray:
        """``sqrt(-2 * log256_ps(1 - k1 * 2**-24))`` (``k1``: ``self.size // 2`` values; modified)."""
        x, y, r, e, t, bits, exp, x64, y64, y_bits, z64 = self._radius_buffers
        # u1 = v * 2**-24 with v = 2**24 - k1 in [1, 2**24], exact in float32. Cephes
        # writes u1 = (1 + x) * 2**e with 1 + x in [sqrt(1/2), sqrt(2)): on the bits of
        # v, adding 1.0 - sqrt(1/2) carries into the exponent exactly when the mantissa
        # is at least sqrt(1/2)'s (the "m < SQRTHF" test), then 1 + x gets the mantissa
        # back with the exponent of sqrt(1/2) added.
        np.subtract(_TWO_24, k1, out=k1)
        _copyto(t, k1.view(_i32), casting="unsafe")  # (NumPy converts int32 faster than uint32)
        np.add(bits, _ONE_MINUS_SQRTHF_BITS, out=bits)
        np.right_shift(bits, _EXP_SHIFT, out=exp)
        np.subtract(exp, _EXP_BIAS_24, out=exp)  # e, with the 2**-24
        _copyto(e, exp, casting="unsafe")
        np.bitwise_and(bits, _MANTISSA_BITS, out=bits)
        np.add(bits, _SQRTHF_BITS, out=bits)
        np.subtract(t, _F32_ONE, out=x)  # exact
        _copyto(x64, x)
        # Horner: y = fma(y, x, p) down the coefficients
        np.multiply(x64, _LOG_P0, out=y64)
        for coef in _LOG_HORNER:
            np.add(y64, coef, out=y64)
            _round_float32(y_bits)
            np.multiply(y64, x64, out=y64)
        np.add(y64, _LOG_P8_GRID, out=y64)  # last step in [0.25, 0.5)
        np.subtract(y64, _M_LOG, out=y64)
        np.multiply(y64, x64, out=y64)
        _copyto(y, y64, casting="unsafe")  # y * x (a product can be a tie: a cast)
        _copyto(y64, y)
        np.multiply(x, x, out=t)  # z
        _copyto(z64, t)
        np.multiply(y64, z64, out=y64)
        np.multiply(e, _LOG_Q1_32, out=r)
        _copyto(z64, r)  # (a float32 operand of a float64 add costs more than this copy)
        np.add(y64, z64, out=y64)  # fma(y, z, e * q1)
        _copyto(y, y64, casting="unsafe")
        np.multiply(t, _F32_HALF, out=t)
        np.subtract(y, t, out=y)
        np.add(x, y, out=x)
        np.multiply(e, _LOG_Q2_32, out=e)  # exact: e has 5 bits, q2 9
        np.add(x, e, out=x)  # fma(e, q2, x + y)
        np.multiply(x, _F32_MINUS_TWO, out=x)
        return np.sqrt(x, out=r)

    def _sincos(self, k2: np.ndarray):
        """``sincos256_ps(2pi * k2 * 2**-24)`` (``k2``: ``self.size // 2`` values; modified):
        returns float32 ``(sin, cos)``."""
        (x, y, z, s, c, bits, mask, x64, z64, c64, s64,
         s_bits, c_bits, d_bits) = self._sincos_buffers
        _copyto(x, k2.view(_i32), casting="unsafe")  # exact (k2 < 2**24)
        np.multiply(x, _ANGLE_SCALE, out=x)
        # Octant: j = (int(x * 4/pi) + 1) & ~1, which is 2 * q with q = (k2 + 2**21) >> 22
        # (x * 4/pi is k2 * 2**-21 up to roundings that never cross an integer: checked
        # on all k2 by the exhaustive test). Then x - j * pi/4 in three parts.
        octant = k2.view(_i32)
        np.add(octant, _OCTANT_ROUND, out=octant)  # q in bits 22-24 (q <= 4)
        np.right_shift(octant, _OCTANT_SHIFT, out=bits)
        _copyto(y, bits, casting="unsafe")  # q
        for dp in _DP12_32:  # j * dp exact in float32 (j <= 8, dp of 8 and 11 bits)
            np.multiply(y, dp, out=z)
            np.add(x, z, out=x)
        _copyto(x64, x)
        _copyto(z64, bits, casting="unsafe")  # q
        np.multiply(z64, _DP3_64, out=z64)
        np.add(x64, z64, out=x64)
        _copyto(x, x64, casting="unsafe")
        _copyto(x64, x)
        np.multiply(x, x, out=z)
        _copyto(z64, z)
        # cos: ((c0 z + c1) z + c2) z * z - z/2 + 1
        _poly3(z64, _COS_POLY, c64)
        _copyto(c, c64, casting="unsafe")
        _copyto(c64, c)
        np.subtract(c64, _F64_HALF, out=c64)
        np.multiply(c64, z64, out=c64)  # fma(c, z, -z/2) as z * (c - 1/2)
        _copyto(c, c64, casting="unsafe")
        np.add(c, _F32_ONE, out=c)
        # sin: ((s0 z + s1) z + s2) z * x + x
        _poly3(z64, _SIN_POLY, s64)
        _copyto(s, s64, casting="unsafe")
        _copyto(s64, s)
        np.add(s64, _F64_ONE, out=s64)
        np.multiply(s64, x64, out=s64)  # fma(s, x, x) as x * (s + 1)
        _copyto(s, s64, casting="unsafe")
        # Swap the polynomials where j & 2 (q & 1), then flip signs: sin where j & 4
        # (q & 2), cos where ~(j - 2) & 4, which for even j is (j + 2) & 4, (q + 1) & 2:
        # the sine's flip, flipped again where swapped. On the bits (s_bits, c_bits and
        # d_bits view s, c and y): masks and xors.
        np.left_shift(octant, _SHIFT9, out=mask)
        np.right_shift(mask, _SHIFT31, out=mask)  # -1 (all bits) where q & 1, else 0
        np.bitwise_xor(s_bits, c_bits, out=d_bits)
        np.bitwise_and(d_bits, mask, out=d_bits)
        np.bitwise_xor(s_bits, d_bits, out=s_bits)  # cos polynomial where q & 1
        np.bitwise_xor(c_bits, d_bits, out=c_bits)  # sin polynomial where q & 1
        np.left_shift(octant, _SHIFT8, out=bits)
        np.bitwise_and(bits, _SIGN32, out=bits)  # the sign bit where q & 2
        np.bitwise_xor(s_bits, bits, out=s_bits)
        np.bitwise_and(mask, _SIGN32, out=mask)
        np.bitwise_xor(mask, bits, out=mask)
        np.bitwise_xor(c_bits, mask, out=c_bits)
        return s, c


#: The process-wide generator (``torch.default_generator``). Like PyTorch 2.13's, it
#: starts from a non-deterministic seed; ``manual_seed`` makes it reproducible.
default_generator = CPUGenerator()
default_generator.seed()
