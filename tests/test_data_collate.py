"""default_collate / default_convert on every element type PyTorch documents."""

import collections

import numpy as np
import pytest

from test_data_helpers import ENGINES, to_py

Point = collections.namedtuple("Point", ["x", "y"])


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


def T(dtype, shape, values):
    return ("tensor", dtype, shape, values)


def test_numbers(engine):
    torch, data = engine
    assert to_py(data.default_collate([0, 1, 2])) == T("int64", (3,), [0, 1, 2])
    assert to_py(data.default_collate([0.5, 1.0])) == T("float64", (2,), [0.5, 1.0])  # float64, not float32
    assert to_py(data.default_collate([True, False])) == T("bool", (2,), [True, False])


def test_tensors_are_stacked(engine):
    torch, data = engine
    batch = [torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])]
    assert to_py(data.default_collate(batch)) == T("float32", (2, 2), [[1.0, 2.0], [3.0, 4.0]])
    ints = [torch.tensor(1, dtype=torch.int32), torch.tensor(2, dtype=torch.int32)]
    assert to_py(data.default_collate(ints)) == T("int32", (2,), [1, 2])


def test_numpy_arrays_and_scalars(engine):
    torch, data = engine
    batch = [np.array([1, 2], dtype=np.int16), np.array([3, 4], dtype=np.int16)]
    assert to_py(data.default_collate(batch)) == T("int16", (2, 2), [[1, 2], [3, 4]])
    scalars = [np.float32(1.5), np.float32(2.5)]
    assert to_py(data.default_collate(scalars)) == T("float32", (2,), [1.5, 2.5])


def test_strings_are_kept(engine):
    torch, data = engine
    assert data.default_collate(["a", "b"]) == ["a", "b"]
    assert data.default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_containers(engine):
    torch, data = engine
    # tuples become lists
    assert to_py(data.default_collate([(0, "a"), (1, "b")])) == [T("int64", (2,), [0, 1]), ("a", "b")]  # strings: the zip tuple
    assert to_py(data.default_collate([[0, 1], [2, 3]])) == [T("int64", (2,), [0, 2]), T("int64", (2,), [1, 3])]
    assert to_py(data.default_collate([{"a": 0, "b": 1.0}, {"a": 2, "b": 3.0}])) == {
        "a": T("int64", (2,), [0, 2]), "b": T("float64", (2,), [1.0, 3.0])}
    out = data.default_collate([Point(0, 1), Point(2, 3)])
    assert type(out) is Point
    assert to_py(out) == ("Point", (T("int64", (2,), [0, 2]), T("int64", (2,), [1, 3])))
    od = data.default_collate([collections.OrderedDict(z=1), collections.OrderedDict(z=2)])
    assert type(od) is collections.OrderedDict


def test_errors(engine):
    torch, data = engine
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        data.default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, numbers, "
                                        "dicts or lists; found <class 'object'>"):
        data.default_collate([object(), object()])
    with pytest.raises(TypeError, match="found <U1"):
        data.default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError):
        data.default_collate([torch.zeros(2), torch.zeros(3)])  # stack needs equal shapes


def test_default_convert(engine):
    torch, data = engine
    assert to_py(data.default_convert(np.array([0, 1]))) == T("int64", (2,), [0, 1])
    assert data.default_convert(0) == 0
    assert to_py(data.default_convert((np.array(2), "s"))) == [T("int64", (), 2), "s"]
    assert to_py(data.default_convert(Point(np.array(0), 1))) == ("Point", (T("int64", (), 0), 1))
    arr = np.array(["a", "b"])
    assert data.default_convert(arr) is arr  # string arrays stay NumPy arrays


def test_collate_fn_map_extension(engine):
    torch, data = engine
    from importlib import import_module

    collate_mod = import_module(data.__name__ + "._utils.collate")

    class Box:
        def __init__(self, v):
            self.v = v

    def collate_box(batch, *, collate_fn_map=None):
        return sum(b.v for b in batch)

    fn_map = {**collate_mod.default_collate_fn_map, Box: collate_box}
    assert collate_mod.collate([Box(1), Box(2)], collate_fn_map=fn_map) == 3
