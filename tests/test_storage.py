"""Storages (``Tensor.untyped_storage``, ``Tensor.storage``, ``torch.UntypedStorage``,
``torch.TypedStorage``, the legacy ``torch.FloatStorage`` …) and the Tensor methods around
them (``set_``, ``is_set_to``, ``storage_type``, ``share_memory_``, ``is_shared``), against
PyTorch: values, printing, memory sharing, warnings, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reftorch
from reftorch._backends.cupy_backend import cupy_available
from _compare import both, raises_like

LIBS = (torch, reftorch)


def _quiet(fn):
    """``fn`` with the TypedStorage deprecation warning silenced."""
    def run(T, *args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(T, *args)
    return run


# ----------------------------------------------------------------- UntypedStorage
def test_untyped_storage_bytes_sizes_and_printing():
    def fn(T):
        s = T.tensor([1., 2.]).untyped_storage()
        return [s.nbytes(), s.size(), len(s), s.element_size(), str(s.device), s.tolist(), list(s), s[2], s[-1],
                repr(s), str(s), s.type(), s.is_shared(), s.is_cuda, s.get_device(), type(s).__name__]
    both(fn)
    assert repr(reftorch.tensor([1., 2.]).untyped_storage()) == (
        " 0\n 0\n 128\n 63\n 0\n 0\n 0\n 64\n[torch.storage.UntypedStorage(device=cpu) of size 8]")


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int16", "int32", "int64", "float16", "float64", "complex64"])
def test_untyped_storage_of_each_dtype(dtype):
    both(lambda T: (lambda s: (s.tolist(), repr(s)))(T.tensor([1, 0, 3], dtype=getattr(T, dtype)).untyped_storage()))


def test_untyped_storage_slices_share_memory():
    def fn(T):
        x = T.arange(6.)
        s = x.untyped_storage()
        part = s[4:8]
        out = [part.tolist(), part.data_ptr() - s.data_ptr(), part.nbytes(), s[5:2].nbytes(), s[-100:100].nbytes(),
               s[30:40].nbytes(), repr(s[5:2])]
        part[3] = 0  # writes through the slice reach the tensor
        out.append(x)
        return out
    both(fn)


def test_untyped_storage_index_errors():
    s = lambda T: T.arange(6.).untyped_storage()  # noqa: E731
    raises_like(lambda T: s(T)[24], msg=True)  # IndexError
    raises_like(lambda T: s(T)[-25], msg=True)
    raises_like(lambda T: s(T)[1:6:2], msg=True)  # RuntimeError: step
    raises_like(lambda T: s(T)[::-1], msg=True)
    raises_like(lambda T: s(T)[[1, 2]], msg=True)  # TypeError
    raises_like(lambda T: s(T)[True], msg=True)
    raises_like(lambda T: s(T)[1.0], msg=True)
    raises_like(lambda T: s(T)[T.tensor(1)], msg=True)


def test_writes_through_the_storage_are_seen_by_the_tensor():
    def fn(T):
        x = T.arange(6.)
        s = x.untyped_storage()
        s[3] = 0  # the high byte of 0.0 stays 0; of 1.0 (0x3f800000) it becomes 0
        s[4] = 300  # ints are stored modulo 256
        s[5] = -2
        s[6] = True
        s[8:12] = 7
        return x, s.tolist()
    both(fn)


def test_setitem_errors():
    s = lambda T: T.arange(6.).untyped_storage()  # noqa: E731
    raises_like(lambda T: s(T).__setitem__(24, 1), msg=True)  # RuntimeError: out of bounds
    raises_like(lambda T: s(T).__setitem__(-1, 1), msg=True)  # negative indices are refused when writing
    raises_like(lambda T: s(T).__setitem__(0, 1.5), msg=True)
    raises_like(lambda T: s(T).__setitem__(0, T.tensor(3)), msg=True)
    raises_like(lambda T: s(T).__setitem__(slice(0, 8, 2), 3), msg=True)


def test_fill_copy_clone():
    def fn(T):
        x = T.arange(3.)
        s = x.untyped_storage()
        out = [s.fill_(1) is s, x.clone()]
        s.fill_(-1)
        out.append(x.clone())
        c = s.clone()
        out += [c.tolist(), c.data_ptr() != s.data_ptr(), type(c).__name__, s.cpu() is s, s.untyped() is s]
        s.copy_(T.tensor([1., 2., 3.]).untyped_storage())
        out.append(x.clone())
        c[0] = 5
        out.append(x)  # the clone's memory is its own
        return out
    both(fn)
    raises_like(lambda T: T.arange(3.).untyped_storage().fill_(1.5), msg=True)
    raises_like(lambda T: T.arange(3.).untyped_storage().fill_(T.tensor(1)), msg=True)
    raises_like(lambda T: T.arange(3.).untyped_storage().copy_(T.UntypedStorage(4)), msg=True)
    raises_like(lambda T: T.arange(3.).untyped_storage().copy_(T.arange(3.)), msg=True)


def test_constructor():
    def fn(T):
        return [T.UntypedStorage(4).nbytes(), repr(T.UntypedStorage()), repr(T.UntypedStorage([1, 2, 300])),
                T.UntypedStorage(b"abc").tolist(), str(T.UntypedStorage(3, device="cpu").device),
                T.UntypedStorage(2).resizable()]
    both(fn)
    raises_like(lambda T: T.UntypedStorage(-1), msg=True)
    raises_like(lambda T: T.UntypedStorage(2.0), msg=True)
    raises_like(lambda T: T.UntypedStorage(3, dtype=T.float))


def test_resize():
    def fn(T):
        s = T.UntypedStorage([1, 2, 3])
        s.resize_(5)
        out = [s.nbytes(), s[:3].tolist()]
        s.resize_(2)
        return out + [s.tolist()]
    both(fn)
    raises_like(lambda T: T.UntypedStorage(3).resize_(-1), msg=True)
    # a tensor's memory cannot grow in place in reftorch: refused as PyTorch refuses for
    # memory it does not own (torch.from_numpy)
    raises_like(lambda T: T.from_numpy(np.zeros(3)).untyped_storage().resize_(4), msg=True)
    with pytest.raises(RuntimeError, match="not resizable"):
        reftorch.ones(2).untyped_storage().resize_(16)
    assert not reftorch.ones(2).untyped_storage().resizable()


# ----------------------------------------------------------------- sharing between tensors
def test_views_share_the_storage_of_their_base():
    def fn(T):
        x = T.arange(12.).reshape(3, 4)
        p = x.untyped_storage().data_ptr()
        views = [x, x[1], x[:, 1], x.t(), x.view(4, 3), x[1:, 2:], x.reshape(12), x.unsqueeze(0), x.flatten(),
                 x.expand(2, 3, 4), x.detach(), x.contiguous(), x[0].view(T.int32)]
        same = [v.untyped_storage().data_ptr() == p for v in views]
        ptrs = [v.data_ptr() == v.untyped_storage().data_ptr() + v.storage_offset() * v.element_size()
                for v in views]
        return same, ptrs, [v.untyped_storage().nbytes() for v in views]
    both(fn)


def test_detach_and_data_keep_the_storage_of_a_view():
    def fn(T):
        x = T.arange(6.)
        out = []
        for d in (x[2:].detach(), x[2:].data, x.view(2, 3)[1].detach().detach(), x[1:].detach()[1:]):
            out += [d.storage_offset(), d.untyped_storage().data_ptr() == x.untyped_storage().data_ptr(),
                    d.untyped_storage().nbytes(), d.as_strided((2,), (1,), 0).tolist(), d.is_set_to(d)]
        return out
    both(fn)


def test_copies_get_their_own_storage():
    def fn(T):
        x = T.arange(6.).reshape(2, 3)
        p = x.untyped_storage().data_ptr()
        copies = [x.t().reshape(6), x.t().contiguous(), x.clone(), x + 0, x.to(T.float64), x[[0, 1]], x.flip(0)]
        return [c.untyped_storage().data_ptr() != p for c in copies], [c.storage_offset() for c in copies]
    both(fn)


def test_storages_of_other_layouts_and_dtype_views():
    def fn(T):
        x = T.arange(24.).reshape(2, 3, 4)
        z = T.zeros(3, dtype=T.complex64)
        d = T.arange(4., dtype=T.float64)
        cases = [x.transpose(0, 2).clone(), x.reshape(1, 2, 3, 4).contiguous(memory_format=T.channels_last),
                 T.tensor(3.), T.zeros(0), T.zeros(2, 0), x.permute(2, 0, 1).contiguous(), x[:, 1].clone(),
                 T.ones(3).expand(2, 3).clone(), x.sum(0), x.mT, x.mT.clone(), T.ones(4, dtype=T.bool),
                 z, z.real, z.imag, z[1:].imag, d.view(T.int32), d[1:].view(T.int32), d[1:].view(T.int16)[1:]]
        return [(c.untyped_storage().nbytes(), c.storage_offset(), c.stride(),
                 c.data_ptr() == c.untyped_storage().data_ptr() + c.storage_offset() * c.element_size())
                for c in cases]
    both(fn)


def test_storage_after_resize():
    # PyTorch's storage keeps its size when a tensor is resized down
    both(lambda T: [T.ones(4).resize_(2, 2).untyped_storage().nbytes(), T.ones(4).resize_(1).untyped_storage().nbytes(),
                    T.ones(4).resize_(6).untyped_storage().nbytes()])


def test_from_numpy_storage_is_the_arrays_memory():
    def fn(T):
        a = np.arange(4.)
        t = T.from_numpy(a)
        s = t.untyped_storage()
        s[7] = 0x40  # the high byte of a[0] = 0.0 becomes 0x40: 2.0
        return s.data_ptr() == a.__array_interface__["data"][0], s.nbytes(), a.tolist(), t
    both(fn)


def test_parameter_and_grad_tensors_have_storages():
    both(lambda T: (T.nn.Parameter(T.ones(2)).untyped_storage().tolist(),
                    T.ones(2, requires_grad=True).untyped_storage().nbytes()))


# ----------------------------------------------------------------- TypedStorage
def test_typed_storage_reads_and_prints():
    def fn(T):
        x = T.tensor([1., 2.])
        t = x.storage()
        return [type(t).__name__, t.dtype, t.size(), len(t), t[0], t[-1], t.tolist(), list(t), repr(t), str(t),
                t.data_ptr() == x.data_ptr(), t.element_size(), t.nbytes(), str(t.device), t.type(),
                t.pickle_storage_type(), type(t._untyped_storage).__name__, t.untyped().nbytes(), t.is_shared()]
    both(_quiet(fn))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(reftorch.tensor([1., 2.]).storage()) == (
            " 1.0\n 2.0\n[torch.storage.TypedStorage(dtype=torch.float32, device=cpu) of size 2]")


@pytest.mark.parametrize("make", [lambda T: T.tensor([True, False]), lambda T: T.tensor([1, 2]),
                                  lambda T: T.tensor([1 + 2j]), lambda T: T.tensor([1.5], dtype=T.float16),
                                  lambda T: T.tensor([], dtype=T.int32), lambda T: T.tensor(3.)])
def test_typed_storage_of_each_dtype(make):
    both(_quiet(lambda T: (repr(make(T).storage()), make(T).storage().tolist())))


def test_typed_storage_writes_and_errors():
    def fn(T):
        x = T.arange(6.)
        t = x.storage()
        t[0] = 2.5
        t[1:3] = 7
        t[-1] = 9
        out = [x.clone()]
        t.fill_(1.5)
        out.append(x.clone())
        c = t.clone()
        c[0] = 0
        out += [x, c.tolist(), type(c).__name__]
        return out
    both(_quiet(fn))
    t = lambda T: T.arange(6.).storage()  # noqa: E731
    raises_like(_quiet(lambda T: t(T)[6]), msg=True)  # IndexError
    raises_like(_quiet(lambda T: t(T)[1:3]), msg=True)  # RuntimeError: slices
    raises_like(_quiet(lambda T: t(T).__setitem__(9, 7)), msg=True)  # IndexError, as a tensor's


def test_typed_storage_constructors_and_legacy_classes():
    def fn(T):
        x = T.tensor([1., 2.])
        # (new storages are uninitialised in PyTorch: filled before printing)
        return [repr(T.TypedStorage(3).fill_(0)), repr(T.TypedStorage(3, dtype=T.int64).fill_(0)),
                repr(T.TypedStorage([1, 2], dtype=T.int64)), repr(T.FloatStorage(2).fill_(0)),
                repr(T.FloatStorage([1, 2])),
                type(T.LongStorage(1)).__name__, isinstance(x.storage(), T.FloatStorage),
                isinstance(x.storage(), T.LongStorage), repr(x.storage_type()), repr(T.tensor([1]).storage_type()),
                repr(T.tensor([True]).storage_type()), repr(T.tensor([1.], dtype=T.float16).storage_type()),
                x.storage_type() is T.FloatStorage]
    both(_quiet(fn))


def test_private_typed_storage_does_not_warn():
    def fn(T):
        T.storage._reset_warn_typed_storage_removal()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t = T.tensor([1, 2])._typed_storage()
        T.storage._set_always_warn_typed_storage_removal(False)
        return len(caught), t._size(), t.dtype
    both(fn)


def _count_warnings(T, calls):
    T.storage._reset_warn_typed_storage_removal()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calls(T)
    return [(w.category.__name__, str(w.message), w.filename) for w in caught]


def test_typed_storage_warns_once_per_process():
    def calls(T):
        x = T.tensor([1., 2.])
        s = x.storage()
        s.size(), s.tolist(), repr(s), x.storage()
    try:
        got = [_count_warnings(T, calls) for T in LIBS]
        assert got[0] == got[1]
        assert len(got[0]) == 1 and got[0][0][0] == "UserWarning" and got[0][0][2] == __file__
        assert got[0][0][1].startswith("TypedStorage is deprecated. It will be removed in the future")
        # after _set_always_warn_typed_storage_removal(True): every call warns
        for T in LIBS:
            T.storage._set_always_warn_typed_storage_removal(True)
        both_counts = [len(_count_warnings(T, lambda T: (T.ones(2).storage(), T.ones(2).storage().size())))
                       for T in LIBS]
        assert both_counts[0] == both_counts[1] == 3
    finally:
        for T in LIBS:
            T.storage._set_always_warn_typed_storage_removal(False)


# ----------------------------------------------------------------- set_, is_set_to
def test_set_to_a_tensor_or_storage():
    def fn(T):
        x = T.arange(6.)
        y = T.empty(0)
        out = [y.set_(x) is y, y.clone(), y.is_set_to(x), x.is_set_to(y), y.data_ptr() == x.data_ptr(), y._base]
        y[0] = -1
        out.append(x.clone())  # y views x's memory
        z = T.empty(0).set_(x.untyped_storage(), 2, (2, 2), (1, 2))
        out += [z.clone(), z.stride(), z.storage_offset(), z.is_set_to(x),
                z.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()]
        z.set_(x.untyped_storage(), 2, (2, 2))  # the same size: the strides are kept
        out += [z.clone(), z.stride(), T.empty(2, 3).set_(x.untyped_storage(), 1, (2, 2)).stride(),
                T.empty(2, 3)[:, ::2].set_(x.untyped_storage(), 0, (2, 2)).stride()]
        z.set_(x.untyped_storage())
        out.append(z.clone())
        w = T.zeros(2).set_(x[2:])
        out += [w.storage_offset(), w.untyped_storage().data_ptr() == x.untyped_storage().data_ptr(),
                T.zeros(2).set_(x[::2]).clone(), w.as_strided((2,), (1,), 0).clone(), w.set_().shape]
        s = T.UntypedStorage(8)
        u = T.empty(0).set_(s)
        u.fill_(1)
        out += [u.shape, s.tolist(), T.empty(0, dtype=T.int64).set_(T.tensor([1, 2]).storage(), 1, (1,)).clone()]
        return out
    both(_quiet(fn))


def test_set_on_a_view_keeps_its_base_but_views_the_new_memory():
    def fn(T):
        x = T.arange(4.)
        v = x[1:]
        y = T.zeros(3)
        v.set_(y)
        v[0] = 5
        return (v._base is x, v.untyped_storage().data_ptr() == y.untyped_storage().data_ptr(), v.storage_offset(),
                x, y, v._version == x._version)
    both(fn)
    # (known difference: a view taken of such a tensor afterwards has ``x`` as its base and
    # reports x's storage; PyTorch gives y's)


def test_set_errors():
    x = lambda T: T.arange(6.)  # noqa: E731
    raises_like(lambda T: T.empty(0).set_(T.arange(3)), msg=True)  # dtype
    raises_like(_quiet(lambda T: T.empty(0, dtype=T.int64).set_(T.tensor([1.]).storage())), msg=True)
    raises_like(lambda T: T.empty(0).set_(x(T).untyped_storage(), -1, (1,)), msg=True)
    raises_like(lambda T: T.empty(0).set_(x(T).untyped_storage(), 0, (1,), (1, 2)), msg=True)
    raises_like(lambda T: T.empty(0).set_(x(T).untyped_storage(), 0, (-1,)), msg=True)
    raises_like(lambda T: T.empty(0).set_(x(T).untyped_storage(), 0))  # TypeError
    raises_like(lambda T: T.empty(0).set_(5))
    raises_like(lambda T: T.zeros(2, requires_grad=True).set_(x(T)), msg=True)
    raises_like(lambda T: T.from_numpy(np.zeros(3)).set_(T.from_numpy(np.zeros(3)).untyped_storage(), 2, (10,)),
                msg=True)
    with pytest.raises(RuntimeError, match="not resizable"):  # PyTorch grows a storage it owns
        reftorch.empty(0).set_(reftorch.arange(6.).untyped_storage(), 2, (10,))


def test_set_under_no_grad_and_standalone_storage_no_longer_resizes():
    def fn(T):
        with T.no_grad():
            z = T.zeros(2, requires_grad=True)
            z.set_(T.arange(3.))
        return z, z.requires_grad
    both(fn)
    s = reftorch.UntypedStorage(8)
    reftorch.empty(0).set_(s)
    with pytest.raises(RuntimeError, match="not resizable"):  # a tensor views it now
        s.resize_(16)


def test_is_set_to():
    def fn(T):
        x = T.arange(6.)
        return [x.is_set_to(x), x.is_set_to(x[:]), x.is_set_to(x.view(2, 3)), x.is_set_to(x.detach()),
                x.is_set_to(x.clone()), x[1:].is_set_to(x[1:])]
    both(fn)
    raises_like(lambda T: T.arange(6.).is_set_to(3), msg=True)
    raises_like(lambda T: T.arange(6.).is_set_to(T.arange(6.).untyped_storage()), msg=True)


# ----------------------------------------------------------------- share_memory_
def test_share_memory_returns_self_and_marks_the_storage():
    def fn(T):
        a = T.tensor([1., 2.])
        v = a[1:]
        before = [a.is_shared(), v.is_shared(), a.untyped_storage().is_shared()]
        return before + [a.share_memory_() is a, a.is_shared(), v.is_shared(), a.untyped_storage().is_shared(),
                         T.ones(2).is_shared(), T.ones(2, requires_grad=True).share_memory_(),
                         T.UntypedStorage(2).share_memory_().is_shared()]
    both(fn)
    def module(T):
        m = T.nn.Linear(2, 2)
        m(T.ones(1, 2)).sum().backward()
        return m.share_memory() is m, m.weight.is_shared(), m.bias.grad.is_shared(), m.weight[0].is_shared()
    both(module)
    # reftorch keeps the memory where it is (PyTorch moves it to shared memory)
    a = reftorch.tensor([1., 2.])
    p = a.data_ptr()
    assert a.share_memory_().data_ptr() == p


# ----------------------------------------------------------------- other devices
DEVICES = [
    "strict",
    pytest.param("cuda", marks=[pytest.mark.gpu,
                                pytest.mark.skipif(not cupy_available(), reason="CuPy with a GPU not available")]),
]


@pytest.mark.parametrize("device", DEVICES)
def test_storages_on_a_device(device):
    """The same storage code on the accelerator backends: the results match the CPU's."""
    def fn(dev):
        x = reftorch.arange(6., device=dev)
        s = x.untyped_storage()
        v = x.view(2, 3)[1]
        out = [s.nbytes(), s[4:8].tolist(), v.untyped_storage().data_ptr() == s.data_ptr(),
               v.data_ptr() == s.data_ptr() + v.storage_offset() * 4, repr(reftorch.UntypedStorage(2, device=dev))]
        s[7] = 0x40  # the high byte of 1.0: 4.0
        y = reftorch.empty(0, device=dev).set_(s, 2, (2, 2))
        c = s.clone()
        c[0] = 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = x.storage()
            t[2] = 9
            out += [t.tolist(), t.type()]
        return out + [x.tolist(), y.tolist(), c.cpu().tolist(), s.cpu().tolist(), str(c.device)]
    got, expected = fn(device), fn("cpu")
    assert got[:-1] == [e.replace("cpu", device) if isinstance(e, str) else e for e in expected[:-1]]
    assert got[-1].startswith(device)
    assert reftorch.UntypedStorage(1, device=device).is_shared()  # off the CPU, as PyTorch's CUDA storages


# ----------------------------------------------------------------- Tensor.resize (deprecated)
def _warned(fn):
    """``fn``'s result and the (category, message, file) of each warning it gave."""
    def run(T):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = fn(T)
        return out, [(w.category.__name__, str(w.message), w.filename) for w in caught]
    return run


def test_resize_is_deprecated_and_keeps_the_number_of_elements():
    both(_warned(lambda T: T.ones(4).resize(2, 2)))
    both(_warned(lambda T: T.arange(4.).resize_as(T.zeros(2, 2))))
    both(_warned(lambda T: (lambda x: (x.resize(4), x.resize(4)._base is x))(T.arange(4.).view(2, 2))))
    both(_warned(lambda T: T.arange(6.).view(2, 3).t().resize(6)))
    both(_warned(lambda T: T.ones(1).resize()))
    # another number of elements; as in PyTorch, sizes given as one tuple, list or Size too
    raises_like(lambda T: T.ones(4).resize(2, 3), msg=True)
    raises_like(lambda T: T.ones(4).resize((2, 2)), msg=True)
    raises_like(lambda T: T.ones(4).resize([4]), msg=True)
    raises_like(lambda T: T.ones(4).resize(T.Size([4])), msg=True)


def test_resize_gradient():
    def fn(T):
        x = T.arange(4., requires_grad=True)
        y = x.resize(2, 2)
        (y * T.tensor([[1., 2.], [3., 4.]])).sum().backward()
        return y, x.grad, y._base is x, type(y.grad_fn).__name__
    both(_quiet(fn), check_grad_fn=False)
    y = _quiet(lambda T: T.ones(4, requires_grad=True).resize(2, 2))(reftorch)
    assert y.grad_fn.name() == "ResizeBackward"


def test_storages_and_detached_views_do_not_keep_the_graph_alive():
    import gc
    import weakref
    x = reftorch.ones(4, requires_grad=True)
    y = x * 2
    node = weakref.ref(y.grad_fn)
    d = y[1:].detach()
    s = y[1:].untyped_storage()
    assert d.storage_offset() == 1 and s.data_ptr() == y.untyped_storage().data_ptr()
    assert d.untyped_storage().data_ptr() == s.data_ptr()
    y.share_memory_()
    assert d.is_shared() and s.is_shared()
    del y
    gc.collect()
    assert node() is None  # as in PyTorch, where neither holds the graph
    s[0:4] = 0
    assert d.tolist() == [2., 2., 2.] and s.tolist()[:4] == [0, 0, 0, 0]


def test_pickle_copy_and_save():
    import copy
    import io
    import pickle

    def fn(T):
        x = T.tensor([1., 2.])
        s = x.untyped_storage()
        t = x.storage()
        out = []
        for c in (copy.deepcopy(s), copy.copy(s)):
            out += [c.tolist(), c.data_ptr() != s.data_ptr()]
        u = copy.deepcopy(t)
        return out + [repr(u), u.dtype, u.data_ptr() != t.data_ptr(), pickle.loads(pickle.dumps(t)).tolist()]
    both(_quiet(fn))
    # PyTorch 2.13 fails to unpickle a pickled UntypedStorage (AttributeError: type object
    # 'torch.storage.UntypedStorage' has no attribute 'dtype', in its legacy loader): a bug
    # reftorch does not copy
    s = reftorch.tensor([1., 2.]).untyped_storage()
    assert pickle.loads(pickle.dumps(s)).tolist() == s.tolist()
    # reftorch.save refuses storage objects (PyTorch writes them): a clear error, no bad file
    with pytest.raises(pickle.PicklingError, match="cannot save a storage"):
        reftorch.save(reftorch.ones(2).untyped_storage(), io.BytesIO())
