"""reftorch.save / reftorch.load against real PyTorch: checkpoints written by one library
are read by the other (values, dtypes, strides, shared storage, state_dict metadata), the
safe loader refuses what PyTorch's refuses, and damaged files give clear errors."""
from __future__ import annotations

import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import reftorch as rt

import torch  # the oracle: the test command installs it, so its absence must fail loudly

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
          "complex64", "complex128"]


def _np_values(dtype, shape=(3, 4)):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape) * 50
    if dtype == "bool":
        return x > 0
    if dtype.startswith("complex"):
        return (x + 1j * rng.normal(size=shape)).astype(dtype)
    return x.astype(dtype)


def _rt_bytes(obj):
    buf = io.BytesIO()
    rt.save(obj, buf)
    buf.seek(0)
    return buf


def _torch_bytes(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return buf


def _same(r, t):
    """A reftorch tensor equals a torch tensor: dtype, shape, strides, values, requires_grad."""
    assert isinstance(r, rt.Tensor) and isinstance(t, torch.Tensor)
    assert str(r.dtype) == str(t.dtype)
    assert tuple(r.shape) == tuple(t.shape)
    assert r.stride() == t.stride()
    assert r.requires_grad == t.requires_grad
    np.testing.assert_array_equal(r.detach().numpy(), t.detach().numpy())


def _same_tree(r, t):
    if isinstance(t, torch.Tensor):
        _same(r, t)
        assert type(r).__name__ == type(t).__name__  # Tensor / Parameter
    elif isinstance(t, dict):
        assert type(r) is type(t) and list(r) == list(t)
        assert getattr(r, "_metadata", None) == getattr(t, "_metadata", None)
        for k in t:
            _same_tree(r[k], t[k])
    elif isinstance(t, (torch.dtype, torch.device, torch.Size)):
        assert isinstance(r, (rt.dtype, rt.device, rt.Size)) and str(r) == str(t)
    elif isinstance(t, (list, tuple)):
        assert type(r) is type(t) and len(r) == len(t)
        for a, b in zip(r, t):
            _same_tree(a, b)
    else:
        assert type(r) is type(t) and r == t


# ------------------------------------------------------------------ both directions, per dtype
@pytest.mark.parametrize("dtype", DTYPES)
def test_dtype_round_trips_both_ways(dtype):
    x = _np_values(dtype)
    # torch -> reftorch
    loaded = rt.load(_torch_bytes({"x": torch.from_numpy(x.copy()), "xt": torch.from_numpy(x.copy()).t()}))
    _same(loaded["x"], torch.from_numpy(x))
    _same(loaded["xt"], torch.from_numpy(x.copy()).t())
    # reftorch -> torch (weights_only=True: the file holds nothing else)
    back = torch.load(_rt_bytes({"x": rt.tensor(x), "xt": rt.tensor(x).t()}), weights_only=True)
    _same(rt.tensor(x), back["x"])
    _same(rt.tensor(x).t(), back["xt"])


# ------------------------------------------------------------------ views and storage
def test_views_from_torch_share_one_storage():
    base = torch.arange(24.0).reshape(4, 6)
    obj = [base, base[1:3], base.t(), base[:, ::2], base[2, 1:], base.reshape(-1)[5]]
    loaded = rt.load(_torch_bytes(obj))
    for r, t in zip(loaded, obj):
        _same(r, t)
    loaded[0][2, 1] = -1.0  # write through the base: every view sees it, as in torch
    obj[0][2, 1] = -1.0
    for r, t in zip(loaded, obj):
        _same(r, t)


def test_views_from_reftorch_share_one_storage_in_torch():
    base = rt.arange(24.0).reshape(4, 6)
    obj = {"base": base, "rows": base[1:3], "t": base.t(), "step": base[:, ::2]}
    loaded = torch.load(_rt_bytes(obj), weights_only=True)
    ptrs = {v.untyped_storage().data_ptr() for v in loaded.values()}
    assert len(ptrs) == 1
    for k in obj:
        _same(obj[k], loaded[k])
        assert loaded[k].storage_offset() == torch.arange(24.0).reshape(4, 6)[
            {"base": slice(None), "rows": slice(1, 3)}.get(k, slice(None))].storage_offset()
    # the archive holds the memory once
    names = zipfile.ZipFile(_rt_bytes(obj)).namelist()
    assert [n for n in names if "/data/" in n] == ["archive/data/0"]


def test_reftorch_round_trip_keeps_sharing_and_offsets():
    base = rt.arange(10.0)
    a, b = rt.load(_rt_bytes((base[2:5], base[4:])))
    assert isinstance(a, rt.Tensor)
    a[2] = 100.0  # element 4 of the original storage
    assert b[0].item() == 100.0


def test_noncontiguous_and_empty_and_scalar():
    t_obj = [torch.arange(12.0).reshape(3, 4).t()[1:], torch.zeros(0, 3), torch.tensor(7.5),
             torch.arange(6).reshape(2, 3)[:, 1], torch.ones(1, 5).expand(3, 5)]
    for r, t in zip(rt.load(_torch_bytes(t_obj)), t_obj):
        _same(r, t)
    r_obj = [rt.arange(12.0).reshape(3, 4).t()[1:], rt.zeros(0, 3), rt.tensor(7.5),
             rt.arange(6).reshape(2, 3)[:, 1]]
    for r, t in zip(r_obj, torch.load(_rt_bytes(r_obj), weights_only=True)):
        _same(r, t)


def test_saving_views_with_different_dtypes_of_one_block_is_refused():
    a = rt.arange(4, dtype=rt.int32)
    b = rt.Tensor._wrap(a.numpy().view("float32"))
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        rt.save([a, b], io.BytesIO())


# ------------------------------------------------------------------ state_dicts
def _torch_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Embedding(10, 4, padding_idx=0), torch.nn.Linear(4, 3),
                               torch.nn.LayerNorm(3) if hasattr(rt.nn, "LayerNorm") else torch.nn.ReLU())


def _rt_model():
    return rt.nn.Sequential(rt.nn.Embedding(10, 4, padding_idx=0), rt.nn.Linear(4, 3),
                            rt.nn.LayerNorm(3) if hasattr(rt.nn, "LayerNorm") else rt.nn.ReLU())


def test_module_state_dict_from_torch_loads_into_reftorch_module():
    tm = _torch_model()
    sd = rt.load(_torch_bytes(tm.state_dict()))
    _same_tree(sd, tm.state_dict())
    assert isinstance(sd, collections.OrderedDict)
    m = _rt_model()
    m.load_state_dict(sd)
    x = [[1, 2, 0], [3, 4, 5]]
    np.testing.assert_allclose(m(rt.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)


def test_module_state_dict_from_reftorch_loads_into_torch_module():
    m = _rt_model()
    sd = torch.load(_rt_bytes(m.state_dict()), weights_only=True)
    assert list(sd) == list(m.state_dict())
    assert sd._metadata == m.state_dict()._metadata
    tm = _torch_model()
    tm.load_state_dict(sd)  # strict: same keys, shapes and dtypes
    for k, v in m.state_dict().items():
        _same(v, sd[k])


def test_rnn_state_dict_both_ways():
    torch.manual_seed(0)
    tl = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True)
    rl = rt.nn.LSTM(3, 4, num_layers=2, batch_first=True)
    rl.load_state_dict(rt.load(_torch_bytes(tl.state_dict())))
    _same_tree(rt.load(_rt_bytes(rl.state_dict())), tl.state_dict())
    tl.load_state_dict(torch.load(_rt_bytes(rl.state_dict()), weights_only=True))


def test_optimizer_state_dict_from_torch():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    loaded = rt.load(_torch_bytes(sd))
    _same_tree(loaded, sd)
    # and back: reftorch writes the same structure torch reads
    _same_tree(loaded, torch.load(_rt_bytes(loaded), weights_only=True))


def test_nested_containers_and_plain_values_both_ways():
    def build(T):
        return {"epoch": 3, "loss": 0.25, "name": "run-1", "flags": [True, False, None],
                "nested": {"a": (T.ones(2), [T.zeros(1, dtype=T.int64)]), "b": collections.OrderedDict(k=T.eye(2))},
                "bytes": b"\x00\xff", "big": 2 ** 70, "neg": -5, "c": 1 + 2j, "set": {1, 2},
                "dtype": T.float64, "size": T.Size([2, 3]), "device": T.device("cpu"),
                "counter": collections.Counter("aab"), "bytearray": bytearray(b"ab")}
    _same_tree(rt.load(_torch_bytes(build(torch))), build(torch))
    _same_tree(build(rt), torch.load(_rt_bytes(build(rt)), weights_only=True))


def test_parameters_and_requires_grad_both_ways():
    tp = torch.nn.Parameter(torch.ones(2, 2))
    tf = torch.nn.Parameter(torch.ones(3), requires_grad=False)
    tg = torch.ones(2, requires_grad=True)
    _same_tree(rt.load(_torch_bytes([tp, tf, tg])), [tp, tf, tg])
    rp = rt.nn.Parameter(rt.ones(2, 2))
    rf = rt.nn.Parameter(rt.ones(3), requires_grad=False)
    rg = rt.ones(2, requires_grad=True)
    _same_tree([rp, rf, rg], torch.load(_rt_bytes([rp, rf, rg]), weights_only=True))


def test_same_tensor_twice_stays_one_object():
    t = torch.ones(3)
    a, b = rt.load(_torch_bytes([t, t]))
    assert a is b
    r = rt.ones(3)
    a, b = torch.load(_rt_bytes([r, r]), weights_only=True)
    assert a is b


# ------------------------------------------------------------------ files, paths, map_location
def test_paths_pathlib_and_file_objects(tmp_path):
    obj = {"w": rt.arange(4.0)}
    rt.save(obj, str(tmp_path / "a.pt"))
    rt.save(obj, tmp_path / "b.ckpt.pt")
    with open(tmp_path / "c.pt", "wb") as fh:
        rt.save(obj, fh)
    for name in ("a.pt", "b.ckpt.pt", "c.pt"):
        for src in (str(tmp_path / name), tmp_path / name):
            _same(rt.load(src)["w"], torch.arange(4.0))
            _same(rt.load(src)["w"], torch.load(src, weights_only=True)["w"])
        with open(tmp_path / name, "rb") as fh:
            _same(rt.load(fh)["w"], torch.arange(4.0))
    # the archive folder is named as torch names it
    torch.save({"w": torch.arange(4.0)}, tmp_path / "t.ckpt.pt")
    assert {n.split("/")[0] for n in zipfile.ZipFile(tmp_path / "t.ckpt.pt").namelist()} == {"t.ckpt"}
    assert {n.split("/")[0] for n in zipfile.ZipFile(tmp_path / "b.ckpt.pt").namelist()} == {"b.ckpt"}
    assert {n.split("/")[0] for n in zipfile.ZipFile(tmp_path / "c.pt").namelist()} == {"archive"}


def test_torch_file_loads_from_path(tmp_path):
    torch.save({"w": torch.arange(4.0)}, tmp_path / "x.pt")
    _same(rt.load(tmp_path / "x.pt")["w"], torch.arange(4.0))


def _as_cuda_checkpoint(obj):
    """A reftorch checkpoint whose storages claim the location ``cuda:0`` (as one saved on
    a GPU): the pickle's ``'cpu'`` strings are rewritten in place."""
    src = zipfile.ZipFile(_rt_bytes(obj))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith("data.pkl"):
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            dst.writestr(name, data)
    out.seek(0)
    return out


def test_map_location_forms():
    base = rt.arange(3.0)
    obj = {"w": base, "v": base[1:]}
    ckpt = _as_cuda_checkpoint(obj).getvalue()
    if not rt.cuda.is_available():
        with pytest.raises(RuntimeError, match="map_location=torch.device\\('cpu'\\)"):
            rt.load(io.BytesIO(ckpt))
    for ml in ("cpu", rt.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage,
               lambda storage, loc: storage.cpu(), lambda storage, loc: None if loc == "cpu" else storage):
        out = rt.load(io.BytesIO(ckpt), map_location=ml)
        assert out["w"].device.type == "cpu"
        _same(out["w"], torch.arange(3.0))
        out["w"][1] = 5.0
        assert out["v"][0].item() == 5.0  # still one storage after mapping
    # torch reads the rewritten file the same way (so the rewrite is a faithful GPU checkpoint)
    _same(rt.arange(3.0), torch.load(io.BytesIO(ckpt), map_location="cpu", weights_only=True)["w"])


def test_map_location_to_the_strict_device_keeps_values():
    out = rt.load(_rt_bytes({"w": rt.arange(6.0).reshape(2, 3).t()}), map_location="strict")
    assert out["w"].device.type == "strict"
    np.testing.assert_array_equal(out["w"].cpu().numpy(), np.arange(6.0).reshape(2, 3).T)


def test_map_location_of_a_bad_type():
    with pytest.raises(ValueError):
        rt.load(_rt_bytes(rt.ones(1)), map_location=3.5)


# ------------------------------------------------------------------ safety (weights_only)
class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


class _Custom:
    def __init__(self):
        self.value = 41


def test_reduce_to_os_system_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    data = _torch_bytes({"x": _Evil(marker)}).getvalue()
    with pytest.raises(pickle.UnpicklingError) as ours:
        rt.load(io.BytesIO(data))
    with pytest.raises(pickle.UnpicklingError) as theirs:
        torch.load(io.BytesIO(data))
    assert str(ours.value) == str(theirs.value)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):
        rt.load(io.BytesIO(data), weights_only=True)
    assert not marker.exists()


def test_unknown_global_is_refused_with_torchs_message():
    data = _torch_bytes({"obj": _Custom()}).getvalue()
    with pytest.raises(pickle.UnpicklingError) as ours:
        rt.load(io.BytesIO(data))
    with pytest.raises(pickle.UnpicklingError) as theirs:
        torch.load(io.BytesIO(data))
    assert str(ours.value) == str(theirs.value)


def test_weights_only_false_unpickles_anything():
    buf = _rt_bytes({"obj": _Custom(), "w": rt.ones(2)})
    out = rt.load(buf, weights_only=False)
    assert out["obj"].value == 41
    _same(out["w"], torch.ones(2))
    # a torch checkpoint with torch objects: torch names become reftorch objects
    out = rt.load(_torch_bytes({"w": torch.ones(2), "dt": torch.int8}), weights_only=False)
    assert out["dt"] is rt.int8 and isinstance(out["w"], rt.Tensor)


def test_forged_geometry_is_refused_not_read_out_of_bounds():
    data = _rt_bytes({"w": rt.arange(4.0)}).getvalue()
    src = zipfile.ZipFile(io.BytesIO(data))
    pkl = src.read("archive/data.pkl")
    # size (4,) -> (400,): the tensor would read past its 4-element storage
    forged_pkl = pkl.replace(b"K\x04\x85", b"M\x90\x01\x85")
    assert forged_pkl != pkl
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, forged_pkl if name.endswith("data.pkl") else src.read(name))
    with pytest.raises(RuntimeError, match="out of bounds"):
        rt.load(io.BytesIO(out.getvalue()))
    with pytest.raises(RuntimeError):  # torch: "Trying to resize storage that is not resizable"
        torch.load(io.BytesIO(out.getvalue()), weights_only=True)


# ------------------------------------------------------------------ damaged files
_OK_ERRORS = (RuntimeError, EOFError, pickle.UnpicklingError)


def test_empty_file_is_eof_error_as_in_torch():
    with pytest.raises(EOFError):
        rt.load(io.BytesIO(b""))
    with pytest.raises(EOFError):
        torch.load(io.BytesIO(b""))


def test_not_a_checkpoint():
    with pytest.raises(RuntimeError, match="Invalid magic number"):
        rt.load(io.BytesIO(b"hello world" * 10))


@pytest.mark.parametrize("source", ["torch", "reftorch"])
def test_every_truncation_gives_a_clear_error(source):
    obj = {"w": np.arange(300.0), "sd": collections.OrderedDict(a=[1, 2, 3])}
    if source == "torch":
        data = _torch_bytes({"w": torch.from_numpy(obj["w"]), "sd": obj["sd"]}).getvalue()
    else:
        data = _rt_bytes({"w": rt.tensor(obj["w"]), "sd": obj["sd"]}).getvalue()
    step = max(1, len(data) // 150)
    for cut in list(range(0, len(data), step)) + [len(data) - 1]:
        with pytest.raises(_OK_ERRORS):
            rt.load(io.BytesIO(data[:cut]))


def test_flipped_bytes_are_detected_or_harmless():
    data = bytearray(_rt_bytes({"w": rt.arange(100.0), "n": 3}).getvalue())
    for pos in range(0, len(data), max(1, len(data) // 120)):
        bad = bytearray(data)
        bad[pos] ^= 0xFF
        try:
            rt.load(io.BytesIO(bytes(bad)))
        except _OK_ERRORS:
            pass


def test_add_safe_globals_and_context_manager():
    import argparse
    data = _torch_bytes({"args": argparse.Namespace(lr=0.1)}).getvalue()
    for T in (rt, torch):
        with pytest.raises(pickle.UnpicklingError, match="argparse.Namespace"):
            T.load(io.BytesIO(data))
        with T.serialization.safe_globals([argparse.Namespace]):
            assert T.load(io.BytesIO(data))["args"].lr == 0.1
        with pytest.raises(pickle.UnpicklingError):
            T.load(io.BytesIO(data))
        T.serialization.add_safe_globals([argparse.Namespace])
        try:
            assert T.load(io.BytesIO(data))["args"] == argparse.Namespace(lr=0.1)
            assert argparse.Namespace in T.serialization.get_safe_globals()
        finally:
            T.serialization.clear_safe_globals()


def _rezip(data, new_pkl):
    """The archive ``data`` with its data.pkl replaced (CRCs valid: only the pickle lies)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, new_pkl if name.endswith("/data.pkl") else src.read(name))
    return out.getvalue()


@pytest.mark.parametrize("source", ["torch", "reftorch"])
def test_mangled_pickles_with_valid_crcs_give_clear_errors(source):
    """data.pkl with random bytes changed, dropped or duplicated (the zip itself intact):
    loading raises one of the documented errors or returns, and never runs anything else."""
    obj = {"w": np.arange(6.0).reshape(2, 3), "meta": collections.OrderedDict(epoch=3, name="x"),
           "list": [1, 2.5, None]}
    if source == "torch":
        data = _torch_bytes({"w": torch.from_numpy(obj["w"]), "meta": obj["meta"], "list": obj["list"]}).getvalue()
    else:
        data = _rt_bytes({"w": rt.tensor(obj["w"]), "meta": obj["meta"], "list": obj["list"]}).getvalue()
    folder = zipfile.ZipFile(io.BytesIO(data)).namelist()[0].split("/")[0]
    pkl = zipfile.ZipFile(io.BytesIO(data)).read(f"{folder}/data.pkl")
    rng = np.random.default_rng(0)
    for _ in range(300):
        b = bytearray(pkl)
        pos = int(rng.integers(0, len(b)))
        kind = int(rng.integers(0, 3))
        if kind == 0:
            b[pos] = int(rng.integers(0, 256))
        elif kind == 1:
            del b[pos:pos + int(rng.integers(1, 8))]
        else:
            b[pos:pos] = b[pos:pos + int(rng.integers(1, 8))]
        try:
            rt.load(io.BytesIO(_rezip(data, bytes(b))))
        except (RuntimeError, EOFError, pickle.UnpicklingError, TypeError):
            pass


def test_legacy_format_is_named_in_the_error():
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="legacy format"):
        rt.load(io.BytesIO(buf.getvalue()))


def test_big_endian_checkpoint_loads_like_in_torch():
    """A checkpoint written on a big-endian machine: storages byte-swapped, byteorder "big"."""
    obj = {"f": rt.arange(5.0), "i": rt.tensor([1, -2, 300], dtype=rt.int32),
           "c": rt.tensor([1 + 2j], dtype=rt.complex64), "b": rt.tensor([True, False])}
    src = zipfile.ZipFile(_rt_bytes(obj))
    dtypes = {}
    out = io.BytesIO()
    pkl = src.read("archive/data.pkl")
    for k, v in obj.items():  # record key -> numpy dtype, in the order the pickler met them
        dtypes[str(len(dtypes))] = np.dtype(str(v.dtype).replace("torch.", ""))
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "archive/byteorder":
                data = b"big"
            elif "/data/" in name:
                dt = dtypes[name.rsplit("/", 1)[1]]
                data = np.frombuffer(data, dt).byteswap().tobytes()
            dst.writestr(name, data)
    assert pkl == zipfile.ZipFile(io.BytesIO(out.getvalue())).read("archive/data.pkl")
    ours = rt.load(io.BytesIO(out.getvalue()))
    theirs = torch.load(io.BytesIO(out.getvalue()), weights_only=True)
    for k in obj:
        _same(ours[k], theirs[k])
        _same(obj[k], theirs[k])


_DEVICES = ["strict", pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
    not rt.cuda.is_available(), reason="needs CuPy and a CUDA GPU")])]


def _views(lib, device=None):
    base = lib.arange(24.0, device=device).reshape(4, 6)
    return {"base": base, "rows": base[1:3], "t": base.t(), "step": base[:, ::2], "elem": base.reshape(-1)[5],
            "detached": base[1:3].detach(), "inner": base[1:3][:, 2:]}


@pytest.mark.parametrize("device", _DEVICES)
def test_views_of_a_device_tensor_share_one_storage(device):
    """As torch shares the storage of views (checked here on its CPU), so does reftorch on
    any device: one record in the archive, the same offsets and strides in torch, and
    views that see each other's writes after loading."""
    obj = _views(rt, device)
    names = zipfile.ZipFile(_rt_bytes(obj)).namelist()
    assert [n for n in names if "/data/" in n] == ["archive/data/0"]
    want = _views(torch)
    in_torch = torch.load(_rt_bytes(obj), weights_only=True)
    assert len({v.untyped_storage().data_ptr() for v in in_torch.values()}) == 1
    for k, t in want.items():
        assert in_torch[k].storage_offset() == t.storage_offset() and in_torch[k].stride() == t.stride(), k
        np.testing.assert_array_equal(in_torch[k].cpu().numpy(), t.numpy())  # a CUDA build of torch loads onto the GPU
    back = rt.load(_rt_bytes(obj), map_location=device)
    back["base"][2, 3] = -1.0
    want["base"][2, 3] = -1.0
    for k, t in want.items():
        assert back[k].device.type == device
        np.testing.assert_array_equal(back[k].cpu().numpy(), t.numpy())


@pytest.mark.parametrize("device", _DEVICES)
def test_saving_a_device_view_saves_its_whole_storage(device):
    big = rt.zeros(1000, 100, device=device)
    sizes = [len(_rt_bytes(x).getvalue()) for x in (big[0], big[0].clone())]
    tbig = torch.zeros(1000, 100)
    want = []
    for x in (tbig[0], tbig[0].clone()):
        buf = io.BytesIO()
        torch.save(x, buf)
        want.append(len(buf.getvalue()))
    assert sizes[0] > 400_000 and want[0] > 400_000 and sizes[1] < 2_000 and want[1] < 2_000
