"""``where`` with a Python number: PyTorch refuses one that does not fit the result dtype
(the fill rules of reftorch/_scalar.py, float16 rounding to inf instead). Differential."""
import pytest
import torch

import reftorch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
VALUES = [300, -1, -255, -256, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 70000, 70000.0, 1e30, 1e39, 4e38,
          float("inf"), float("nan"), 2.5, True, 65504.0, 65520.0,
          2 ** 63, 2 ** 64 - 1, 2 ** 64, -2 ** 63 - 1, 10 ** 400]  # beyond int64: uint64 numbers, or no parse


def _run(mod, dt, v, number_first):
    c = mod.tensor([True, False])
    x = mod.tensor([1, 2], dtype=getattr(mod, dt))
    try:
        r = mod.where(c, v, x) if number_first else mod.where(c, x, v)
    except Exception as e:  # noqa: BLE001 - type and message are compared
        return type(e).__name__, str(e)
    return str(r.dtype).replace("reftorch", "torch"), r.tolist()


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("number_first", [False, True])
def test_where_number_argument_matches_torch(dt, number_first):
    for v in VALUES:
        got, want = _run(reftorch, dt, v, number_first), _run(torch, dt, v, number_first)
        assert str(got) == str(want), (dt, v)


@pytest.mark.parametrize("a, b", [(2 ** 63, 1), (1, 2 ** 63), (2 ** 63, True), (False, 2 ** 63), (2 ** 63, 2.5),
                                  (2 ** 64 - 1, 0.5), (-2 ** 63 - 1, 2.5), (2 ** 64, 1.5), (2.5, 2 ** 63 + 1)])
def test_where_two_numbers_beyond_int64(a, b):
    def run(mod):
        try:
            r = mod.where(mod.tensor([True, False]), a, b)
        except Exception as e:  # noqa: BLE001 - type and message are compared
            return type(e).__name__, str(e)
        return str(r.dtype).replace("reftorch", "torch"), r.tolist()
    assert run(reftorch) == run(torch)
