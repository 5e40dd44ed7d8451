"""``torch.memory_format`` (``channels_last`` …) and the ``memory_format=`` arguments:
strides, values, aliasing and errors compared with PyTorch's."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import reftorch
from _compare import both

FORMATS = ["contiguous_format", "channels_last", "channels_last_3d", "preserve_format"]


def _arr(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


#: Inputs of different layouts, made from a row-major tensor in each library.
LAYOUTS = {
    "contiguous4": lambda T, t: t,
    "channels_last4": lambda T, t: t.contiguous(memory_format=T.channels_last),
    "permuted4": lambda T, t: t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).transpose(2, 3),
    "strided_cl4": lambda T, t: t.contiguous(memory_format=T.channels_last)[:, :, ::2],
    "overlapping4": lambda T, t: t[:, :1].expand(-1, 3, -1, -1),
}
SHAPES = {"contiguous4": (2, 3, 4, 5), "channels_last4": (2, 3, 4, 5), "permuted4": (2, 3, 4, 5),
          "strided_cl4": (2, 3, 4, 5), "overlapping4": (2, 3, 4, 5)}
#: Shapes whose channels-last layouts are ambiguous (size-1 dims), and other ranks.
ODD_SHAPES = [(2, 3, 1, 1), (1, 1, 4, 5), (1, 3, 1, 5), (2, 3, 4), (2, 3, 2, 3, 4), (2, 1, 2, 3, 4), (5,), (2, 3, 0, 5),
              ()]


def _layouts():
    cases = [(name, SHAPES[name]) for name in LAYOUTS]
    for shape in ODD_SHAPES:
        cases.append(("contiguous4", shape))
        if len(shape) == 4:
            cases.append(("channels_last4", shape))
    return cases


def _input(T, name, shape):
    # (torch.tensor of an empty NumPy array has all-zero strides: zeros instead)
    return LAYOUTS[name](T, T.zeros(shape) if 0 in shape else T.tensor(_arr(shape)))


def _describe(t, x=None):
    return (t, t.stride(), t.is_contiguous(), t is x) if x is not None else (t, t.stride(), t.is_contiguous())


# ----------------------------------------------------------------------------- the type
def test_memory_format_values_repr_and_identity():
    for name in FORMATS:
        fmt = getattr(reftorch, name)
        assert repr(fmt) == repr(getattr(torch, name)) == f"torch.{name}"
        assert str(fmt) == str(getattr(torch, name))
        assert isinstance(fmt, reftorch.memory_format)
        assert copy.deepcopy(fmt) is fmt and copy.copy(fmt) is fmt
        assert pickle.loads(pickle.dumps(fmt)) is fmt
        assert fmt == fmt and hash(fmt) == hash(fmt)
    assert reftorch.channels_last != reftorch.contiguous_format
    assert (reftorch.channels_last == reftorch.contiguous_format) == (torch.channels_last == torch.contiguous_format)
    with pytest.raises(TypeError, match="cannot create 'torch.memory_format' instances"):
        reftorch.memory_format()
    with pytest.raises(TypeError, match="cannot create 'torch.memory_format' instances"):
        torch.memory_format()


# ----------------------------------------------------------------------------- contiguous / is_contiguous / clone
@pytest.mark.parametrize("layout,shape", _layouts())
@pytest.mark.parametrize("fmt", FORMATS)
def test_contiguous(layout, shape, fmt):
    def fn(T):
        x = _input(T, layout, shape)
        return _describe(x.contiguous(memory_format=getattr(T, fmt)), x)
    both(fn, msg=True)


@pytest.mark.parametrize("layout,shape", _layouts())
@pytest.mark.parametrize("fmt", FORMATS)
def test_is_contiguous(layout, shape, fmt):
    both(lambda T: _input(T, layout, shape).is_contiguous(memory_format=getattr(T, fmt)))


@pytest.mark.parametrize("layout,shape", _layouts())
@pytest.mark.parametrize("fmt", FORMATS + [None])
def test_clone(layout, shape, fmt):
    def fn(T):
        x = _input(T, layout, shape)
        out = x.clone() if fmt is None else T.clone(x, memory_format=getattr(T, fmt))
        return _describe(out)
    both(fn, msg=True)


@pytest.mark.parametrize("call", [
    lambda T, x: x.contiguous(memory_format=None),
    lambda T, x: x.contiguous(memory_format="channels_last"),
    lambda T, x: x.is_contiguous(memory_format=None),
    lambda T, x: x.is_contiguous(memory_format=1),
    lambda T, x: x.clone(memory_format="x"),
    lambda T, x: T.empty(2, 3, 4, 5, memory_format="x"),
    lambda T, x: T.zeros_like(x, memory_format="a"),
    lambda T, x: T.empty_like(x, memory_format=3),
    lambda T, x: x.double(memory_format="x"),
])
def test_wrong_type_is_a_type_error(call):
    both(lambda T: call(T, T.zeros(2, 3, 4, 5)), msg=True)


@pytest.mark.parametrize("call", [
    lambda T, x: x.contiguous(T.channels_last),
    lambda T, x: x.is_contiguous(T.channels_last),
    lambda T, x: x.clone(T.channels_last),
    lambda T, x: x.double(T.channels_last),
])
def test_memory_format_is_keyword_only(call):
    both(lambda T: call(T, T.zeros(2, 3, 4, 5)))


@pytest.mark.parametrize("call", [
    lambda T, x: x.to(memory_format="x"),
    lambda T, x: x.to(T.float64, memory_format="x"),
    lambda T, x: x.to("cpu", T.float64, memory_format=1),
    lambda T, x: x.to(T.float64, T.channels_last),
])
def test_to_wrong_arguments(call):
    both(lambda T: call(T, T.zeros(2, 3, 4, 5)), msg=True)


# ----------------------------------------------------------------------------- to and the casts
@pytest.mark.parametrize("layout,shape", _layouts())
@pytest.mark.parametrize("fmt", FORMATS + [None])
@pytest.mark.parametrize("dtype", [None, "float64", "float32", "int64"])
def test_to(layout, shape, fmt, dtype):
    def fn(T):
        x = _input(T, layout, shape)
        kw = {} if fmt is None else {"memory_format": getattr(T, fmt)}
        out = x.to(getattr(T, dtype), **kw) if dtype else x.to(**kw)
        return _describe(out, x)
    both(fn, msg=True)


def test_to_copy_device_and_tensor_forms():
    def fn(T):
        x = _input(T, "contiguous4", (2, 3, 4, 5))
        cl = T.channels_last
        a = x.to(memory_format=cl, copy=True)
        b = x.to("cpu", memory_format=cl)
        c = x.to(x.double(), memory_format=cl)
        d = x.to(device="cpu", dtype=T.float16, memory_format=cl)
        e = x.cpu(memory_format=cl)
        f = a.to(memory_format=cl, copy=True)
        return [_describe(t, x) for t in (a, b, c, d, e, f)]
    both(fn)


def test_to_aliasing_follows_suggest_memory_format():
    """``to`` returns ``self`` when the format is the one the strides suggest: a transposed
    matrix for ``contiguous_format``, unlike ``contiguous()``."""
    def fn(T):
        xt = T.tensor(_arr((3, 4))).t()
        cl = T.tensor(_arr((2, 3, 4, 5))).contiguous(memory_format=T.channels_last)
        return [xt.to(memory_format=T.contiguous_format) is xt, xt.contiguous() is xt,
                cl.to(memory_format=T.channels_last) is cl, cl.float(memory_format=T.channels_last) is cl,
                cl.to(memory_format=T.contiguous_format).stride()]
    both(fn)


@pytest.mark.parametrize("cast", ["float", "double", "half", "int", "long", "short", "bool", "byte", "char",
                                  "cfloat", "cdouble"])
@pytest.mark.parametrize("fmt", FORMATS + [None])
def test_casts(cast, fmt):
    def fn(T):
        x = _input(T, "channels_last4", (2, 3, 4, 5)) * 3
        out = getattr(x, cast)() if fmt is None else getattr(x, cast)(memory_format=getattr(T, fmt))
        return _describe(out, x)
    both(fn, msg=True)


def test_cast_rank_error():
    both(lambda T: T.zeros(2, 3, 4).double(memory_format=T.channels_last), msg=True)


def test_grad_fn_names_and_gradient_strides():
    def fn(T):
        x = T.tensor(_arr((2, 3, 4, 5)), requires_grad=True)
        outs = [x.contiguous(memory_format=T.channels_last), x.clone(memory_format=T.channels_last),
                x.to(memory_format=T.channels_last), x.double(memory_format=T.channels_last)]
        sum(o.sum() * (i + 1) for i, o in enumerate(outs)).backward()
        return [o.stride() for o in outs] + [x.grad, x.grad.stride()]
    both(fn)


# ----------------------------------------------------------------------------- creation
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (2, 3, 1, 1), (2, 3, 0, 5), (0, 3, 4, 5), (2, 3, 4), (2, 3, 4, 5, 6),
                                   (2, 1, 4, 5, 6)])
@pytest.mark.parametrize("fmt", FORMATS + [None])
def test_empty(shape, fmt):
    def fn(T):
        kw = {} if fmt is None else {"memory_format": getattr(T, fmt)}
        out = T.empty(*shape, **kw)
        packed = T.empty(shape, dtype=T.float64, **kw)
        return out.shape, out.stride(), packed.stride(), packed.dtype
    both(fn, msg=True)


LIKES = {
    "empty_like": lambda T, x, **kw: T.empty_like(x, **kw).fill_(1),
    "zeros_like": lambda T, x, **kw: T.zeros_like(x, **kw),
    "ones_like": lambda T, x, **kw: T.ones_like(x, **kw),
    "full_like": lambda T, x, **kw: T.full_like(x, 2.5, **kw),
    "rand_like": lambda T, x, **kw: T.rand_like(x, **kw),
    "randn_like": lambda T, x, **kw: T.randn_like(x, **kw),
    "randint_like": lambda T, x, **kw: T.randint_like(x, 2, 9, **kw),
}


@pytest.mark.parametrize("like", LIKES)
@pytest.mark.parametrize("layout,shape", _layouts())
@pytest.mark.parametrize("fmt", FORMATS + [None])
def test_like(like, layout, shape, fmt):
    """Values too: the random ones are drawn in the result's memory order, as PyTorch."""
    def fn(T):
        T.manual_seed(3)
        x = _input(T, layout, shape)
        kw = {} if fmt is None else {"memory_format": getattr(T, fmt)}
        return _describe(LIKES[like](T, x, **kw))
    both(fn, msg=True)


def test_like_with_dtype():
    def fn(T):
        x = _input(T, "channels_last4", (2, 3, 4, 5))
        return [_describe(T.zeros_like(x, dtype=T.int64)), _describe(T.ones_like(x, dtype=T.float64,
                                                                                  memory_format=T.channels_last)),
                _describe(T.zeros_like(x.contiguous(), dtype=T.int64, memory_format=T.channels_last))]
    both(fn)


# ----------------------------------------------------------------------------- resize_
@pytest.mark.parametrize("fmt", FORMATS + [None])
@pytest.mark.parametrize("start", [(24,), (2, 3, 2, 2), (100,), (3,)])
def test_resize_memory_format(fmt, start):
    """The memory is read again with the format's strides (no copy), also at the same size."""
    def fn(T):
        x = T.arange(float(np.prod(start))).reshape(start)
        v = x._version
        kw = {} if fmt is None else {"memory_format": getattr(T, fmt)}
        x.resize_(2, 3, 2, 2, **kw)
        return x[:, :, :, :] if x.numel() <= 24 and start != (3,) else x.shape, x.stride(), x._version - v
    both(fn, msg=True)


def test_resize_rank_error_and_resize_as():
    both(lambda T: T.zeros(3).resize_(2, 3, 4, memory_format=T.channels_last), msg=True)
    both(lambda T: T.zeros(3).resize_as_(T.zeros(2, 3, 4, 5), memory_format=T.channels_last).stride())


# ----------------------------------------------------------------------------- nn
def _model(T):
    T.manual_seed(0)
    return T.nn.Sequential(T.nn.Conv2d(3, 4, 3), T.nn.BatchNorm2d(4), T.nn.Linear(3, 2),
                           T.nn.Sequential(T.nn.ConvTranspose2d(4, 2, 3)), T.nn.Conv1d(2, 2, 1))


def _strides(m):
    return ([(n, p.stride(), p.dtype, type(p).__name__) for n, p in m.named_parameters()]
            + [(n, b.stride(), b.dtype) for n, b in m.named_buffers()])


@pytest.mark.parametrize("args,fmt", [((), "channels_last"), ((), "contiguous_format"), ((), "preserve_format"),
                                      (("float64",), "channels_last"), ((), None), ((), "channels_last_3d")])
def test_module_to(args, fmt):
    def fn(T):
        m = _model(T)
        kw = {} if fmt is None else {"memory_format": getattr(T, fmt)}
        r = m.to(*[getattr(T, a) for a in args], **kw)
        return [r is m] + _strides(m) + [m(T.ones(1, 3, 5, 5).to(m[0].weight.dtype))[0, 0]]
    both(fn, msg=True)


def test_module_to_3d_and_errors():
    def conv3d(T, fmt):
        T.manual_seed(0)
        return _strides(T.nn.Conv3d(3, 4, 3).to(memory_format=getattr(T, fmt)))
    both(lambda T: conv3d(T, "channels_last_3d"))
    both(lambda T: conv3d(T, "channels_last"), msg=True)
    both(lambda T: T.nn.Conv2d(3, 4, 3).to(memory_format="x"), msg=True)


@pytest.mark.parametrize("fmt", FORMATS + ["x"])
def test_convert_conv_weight_memory_format(fmt):
    def fn(T):
        m = _model(T)
        m.append(T.nn.Conv3d(2, 2, 1))
        w = m[0].weight
        value = getattr(T, fmt, fmt)
        out = [T.nn.utils.convert_conv2d_weight_memory_format(m, value) is m, m[0].weight is w] + _strides(m)
        if fmt in ("channels_last_3d", "contiguous_format"):
            out += [T.nn.utils.convert_conv3d_weight_memory_format(m, value) is m] + _strides(m)
        y = m[0](T.ones(2, 3, 6, 6))
        y.sum().backward()
        return out + [y, y.stride(), m[0].weight.grad.stride()]
    both(fn, msg=True)


# ----------------------------------------------------------------------------- results of ops on channels-last inputs
OPS = {
    "conv2d": lambda T, F, x: F.conv2d(x, T.ones(4, 3, 3, 3) / 9),
    "conv2d_cl_weight": lambda T, F, x: F.conv2d(x.contiguous(), (T.ones(4, 3, 3, 3) / 9).contiguous(
        memory_format=T.channels_last), T.ones(4), padding=1),
    "conv_transpose2d": lambda T, F, x: F.conv_transpose2d(x, T.ones(3, 4, 3, 3) / 9),
    "conv_transpose2d_cl_weight": lambda T, F, x: F.conv_transpose2d(
        x.contiguous(), (T.ones(3, 4, 3, 3) / 9).contiguous(memory_format=T.channels_last)),
    "batch_norm_train": lambda T, F, x: F.batch_norm(x, T.zeros(3), T.ones(3), training=True),
    "batch_norm_eval": lambda T, F, x: F.batch_norm(x, T.zeros(3), T.ones(3)),
    "relu": lambda T, F, x: F.relu(x),
    "sigmoid": lambda T, F, x: T.sigmoid(x),
    "add": lambda T, F, x: x + x,
    "add_contiguous": lambda T, F, x: x + x.contiguous(),
    "mul_number": lambda T, F, x: x * 2,
    "add_bias": lambda T, F, x: x + T.ones(3, 1, 1),
    "max_pool2d": lambda T, F, x: F.max_pool2d(x, 2),
    "avg_pool2d": lambda T, F, x: F.avg_pool2d(x, 2),
    "adaptive_avg_pool2d_1": lambda T, F, x: F.adaptive_avg_pool2d(x, 1),
    "adaptive_avg_pool2d_2": lambda T, F, x: F.adaptive_avg_pool2d(x, (2, 1)),
    "adaptive_max_pool2d": lambda T, F, x: F.adaptive_max_pool2d(x, 2),
    "max_unpool2d": lambda T, F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2),
    "max_unpool2d_contiguous_indices": lambda T, F, x: F.max_unpool2d(
        F.max_pool2d(x, 2), F.max_pool2d(x, 2, return_indices=True)[1].contiguous(), 2),
    "interpolate_nearest": lambda T, F, x: F.interpolate(x, scale_factor=2),
    "interpolate_bilinear": lambda T, F, x: F.interpolate(x, scale_factor=2, mode="bilinear"),
    "pad_constant": lambda T, F, x: F.pad(x, (1, 1, 1, 1)),
    "pad_crop": lambda T, F, x: F.pad(x, (-1, -1)),
    "pad_reflect": lambda T, F, x: F.pad(x, (1, 1, 1, 1), mode="reflect"),
    "pad_replicate": lambda T, F, x: F.pad(x, (1, 1, 1, 1), mode="replicate"),
    "pad_circular": lambda T, F, x: F.pad(x, (1, 1, 1, 1), mode="circular"),
    "pixel_unshuffle": lambda T, F, x: F.pixel_unshuffle(x, 2),
    "pixel_shuffle": lambda T, F, x: F.pixel_shuffle(T.cat([x, x, x, x], 1), 2),
    "cat": lambda T, F, x: T.cat([x, x], 1),
    "softmax": lambda T, F, x: F.softmax(x, 1),
    "group_norm": lambda T, F, x: F.group_norm(x, 3),
}


@pytest.mark.parametrize("op", OPS)
def test_ops_keep_channels_last(op):
    def fn(T):
        x = T.tensor(_arr((2, 3, 6, 6))).contiguous(memory_format=T.channels_last).requires_grad_()
        out = OPS[op](T, T.nn.functional, x)
        out.sum().backward()
        return out, out.stride(), x.grad.stride()
    both(fn)


OPS_3D = {
    "conv3d": lambda T, F, x: F.conv3d(x, T.ones(2, 3, 3, 3, 3) / 27),
    "conv_transpose3d": lambda T, F, x: F.conv_transpose3d(x, T.ones(3, 2, 3, 3, 3) / 27),
    "max_pool3d": lambda T, F, x: F.max_pool3d(x, 2),
    "batch_norm": lambda T, F, x: F.batch_norm(x, T.zeros(3), T.ones(3)),
    "adaptive_avg_pool3d_1": lambda T, F, x: F.adaptive_avg_pool3d(x, 1),
    "interpolate_trilinear": lambda T, F, x: F.interpolate(x, scale_factor=2, mode="trilinear"),
    "pad_replicate": lambda T, F, x: F.pad(x, (1, 1, 1, 1, 1, 1), mode="replicate"),
    "max_unpool3d": lambda T, F, x: F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True), 2),
}


@pytest.mark.parametrize("op", OPS_3D)
def test_ops_keep_channels_last_3d(op):
    def fn(T):
        x = T.tensor(_arr((2, 3, 4, 4, 4))).contiguous(memory_format=T.channels_last_3d)
        out = OPS_3D[op](T, T.nn.functional, x)
        return out, out.stride()
    both(fn)


def test_view_fails_where_reshape_copies():
    """The pitfall of the guide page: ``view`` cannot merge dims a channels-last layout has
    apart in memory; ``reshape`` then copies."""
    def x_(T):
        return T.arange(24.).reshape(1, 3, 2, 4).contiguous(memory_format=T.channels_last)
    both(lambda T: x_(T).view(1, -1), msg=True)
    both(lambda T: x_(T).view(-1), msg=True)
    both(lambda T: (lambda x: (x.reshape(1, -1), x.reshape(1, -1).stride(), x.reshape(1, 3, 8).stride()))(x_(T)))
    both(lambda T: x_(T).view(1, 3, 8).stride())
    both(lambda T: x_(T).permute(0, 2, 3, 1).view(1, -1))


@pytest.mark.parametrize("shape,fmt", [((2, 3, 4, 5), "channels_last"), ((2, 3, 4), "channels_last"),
                                       ((2, 3, 4, 5, 6), "channels_last_3d"), ((2, 3), "contiguous_format")])
def test_make_tensor_memory_format(shape, fmt):
    both(lambda T: T.testing.make_tensor(shape, dtype=T.int64, device="cpu", low=0, high=9,
                                         memory_format=getattr(T, fmt)).stride(), msg=True)
