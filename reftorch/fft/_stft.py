"""``torch.stft`` and ``torch.istft``: the short-time Fourier transform and its inverse,
written as PyTorch's ``torch/functional.py`` and ``SpectralOps.cpp`` write them, from the
tensor operations and the transform kernels of ``reftorch/_ops/spectral.py``, so that their
graphs have PyTorch's nodes:

* ``stft``: (``center``) the signal padded by ``n_fft // 2`` on both sides (``pad_mode``,
  ``ReflectionPad1DBackward0`` by default, between two ``ViewBackward0``), cut into
  overlapping frames (a strided view, ``AsStridedBackward0``), multiplied by the window
  (``MulBackward0``), transformed (``FftR2CBackward0``, complex inputs ``FftC2CBackward0``)
  and transposed in place to ``(freq, frames)`` (``TransposeBackward1``);
* ``istft``: the frames transformed back (``FftC2RBackward0``), multiplied by the window,
  overlapped and added (``UnfoldBackwardBackward0``, the adjoint of ``Tensor.unfold``),
  trimmed (``SliceBackward0``) and divided by the overlap-added squared window
  (``DivBackward0``).
"""
from __future__ import annotations

from .._ops import spectral as S
from .._ops.creation import ones, zeros
from .._ops.shape import ViewAsComplex, ViewAsReal
from .._ops.unfold import Unfold, _copy_windows, _fold
from .._tensor import int_arg, tensor_string, tensor_type_name
from .._warnings import warn_once
from ..autograd._graph import LinearMap
from ..nn.functional import pad as _pad
from .. import _autocast
from .._autocast import anywhere as _autocasting

__all__ = ["istft", "stft"]

_NO_WINDOW = ("A window was not provided. A rectangular window will be applied,which is known to cause spectral "
              "leakage. Other windows such as torch.hann_window or torch.hamming_window are recommended to reduce "
              "spectral leakage.To suppress this warning and use a rectangular window, explicitly set "
              "`window=torch.ones(n_fft, device=<device>)`. (Triggered internally at "
              "/__w/pytorch/pytorch/aten/src/ATen/native/SpectralOps.cpp:835.)")
_NOT_COMPLEX = ("stft with return_complex=False is deprecated. In a future pytorch release, stft will return complex "
                "tensors for all inputs, and return_complex=False will raise an error.\nNote: you can still call "
                "torch.view_as_real on the complex output to recover the old return format. (Triggered internally "
                "at /__w/pytorch/pytorch/aten/src/ATen/native/SpectralOps.cpp:874.)")
_NO_WINDOW_INVERSE = ("A window was not provided. A rectangular window will be applied.Please provide the same window "
                      "used by stft to make the inversion lossless.To suppress this warning and use a rectangular "
                      "window, explicitly set `window=torch.ones(n_fft, device=<device>)`. (Triggered internally at "
                      "/__w/pytorch/pytorch/aten/src/ATen/native/SpectralOps.cpp:1035.)")
_TOO_LONG = ("The length of signal is shorter than the length parameter. Result is being padded with zeros in the "
             "tail. Please check your center and hop_length settings. (Triggered internally at "
             "/__w/pytorch/pytorch/aten/src/ATen/native/SpectralOps.cpp:1199.)")


class _Frames(Unfold):
    """The frames of ``stft``: ``Tensor.unfold``'s view, recorded as PyTorch's ``as_strided``."""

    name = "AsStridedBackward0"


def _opt(v):
    """How ATen prints an optional bool or int."""
    return "None" if v is None else str(int(v))


def _window_repr(window):
    return "None" if window is None else f"{tensor_type_name(window)}{{{list(window.shape)}}}"


def _overlap_add(frames, length, n_fft, hop):
    """PyTorch's ``unfold_backward``: the frames ``(C, n_frames, n_fft)`` added back into
    signals ``(C, length)`` at every ``hop`` (``UnfoldBackwardBackward0``)."""
    state = ((frames.shape[0], length), 1, n_fft, hop)
    return LinearMap.apply(frames, fn=_fold, adjoint=_copy_windows, state=state,
                           names=("UnfoldBackwardBackward0", "UnfoldBackward0"), _name="UnfoldBackwardBackward0")


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    r"""The short-time Fourier transform: the discrete Fourier transforms of overlapping,
    windowed frames of a signal,
    :math:`X[\omega, m] = \sum_{k=0}^{n\_fft - 1} w[k]\, x[m \cdot hop + k]\, e^{-2 \pi i \omega k / n\_fft}`.

    Args:
        input: the signal, 1-D ``(L,)`` or a batch ``(B, L)``; floating point or complex.
        n_fft: the frame (and transform) size.
        hop_length: the distance between frame starts (default ``n_fft // 4``).
        win_length: the window's size, ``<= n_fft`` (default ``n_fft``); a shorter window
            is padded with zeros on both sides to ``n_fft``.
        window: a 1-D tensor of ``win_length`` values (default: none, a rectangular window,
            with PyTorch's once-per-process warning), e.g. :func:`reftorch.hann_window`.
        center: pad the signal by ``n_fft // 2`` on both sides so that frame ``m`` is
            centred at ``m * hop_length`` (default ``True``).
        pad_mode: the padding of ``center`` (``"reflect"``, ``"replicate"``,
            ``"circular"``, ``"constant"``).
        normalized: multiply by ``n_fft ** -0.5`` (an orthonormal transform).
        onesided: keep the ``n_fft // 2 + 1`` non-negative frequencies (default ``True``
            for a real input and window; a complex one refuses it).
        return_complex: ``True``: a complex result; ``False`` (deprecated, warned once):
            ``view_as_real`` of it, a last dim of 2. Required for real inputs.
        align_to_window: only with ``center=False``: frames that start where the (shorter)
            window starts. (PyTorch's own frames of a batch can then read past the padded
            signal and fail; reftorch pads enough for every frame.)

    Returns:
        The complex tensor ``(freq, n_frames)`` (``(B, freq, n_frames)`` for a batch),
        ``freq`` being ``n_fft // 2 + 1`` (onesided) or ``n_fft``, and ``n_frames``
        ``1 + (L' - n_fft) // hop_length`` for the (padded) length ``L'``.

    Raises:
        RuntimeError: without ``return_complex`` for a real input; for an integer input, a
            3-D input, ``n_fft`` not in ``(0, L']``, a ``hop_length`` ``<= 0``, a
            ``win_length`` not in ``(0, n_fft]``, a window of the wrong shape, a
            ``onesided`` complex transform, ``align_to_window`` with ``center``.

    Mirrors ``torch.stft`` (and ``Tensor.stft``), node for node.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([0., 1., 0., -1., 0., 1., 0., -1.])
        >>> torch.stft(x, 4, hop_length=2, window=torch.hann_window(4), return_complex=True)
        tensor([[ 1.+0.j,  0.+0.j,  0.+0.j,  0.+0.j,  0.+0.j],
                [ 0.+0.j,  0.-1.j,  0.+1.j,  0.-1.j,  0.+1.j],
                [-1.+0.j,  0.+0.j,  0.+0.j,  0.+0.j,  0.+0.j]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("stft", stft, locals())
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    n_fft = int_arg(n_fft, "stft", "n_fft", 2)
    if center:
        signal_dim = input.dim()
        extended = [1] * (3 - signal_dim) + list(input.shape)
        p = n_fft // 2
        input = _pad(input.view(extended), [p, p], pad_mode)
        input = input.view(input.shape[-signal_dim:])
    hop = n_fft >> 2 if hop_length is None else int_arg(hop_length, "stft", "hop_length", 3)
    win = n_fft if win_length is None else int_arg(win_length, "stft", "win_length", 4)

    def fail(what):
        raise RuntimeError(
            f"stft({tensor_string(input)}{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, "
            f"window={_window_repr(window)}, normalized={int(normalized)}, onesided={_opt(onesided)}, "
            f"return_complex={_opt(return_complex)}, align_to_window={_opt(align_to_window)}) : {what}")

    if window is None:
        warn_once(_NO_WINDOW, stacklevel=0)
    complex_in = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
    if return_complex is None and not complex_in:
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will further "
                           "require that return_complex=True in a future PyTorch release.")
    if return_complex is False:
        warn_once(_NOT_COMPLEX, stacklevel=0)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        fail("expected a tensor of floating point or complex values")
    if input.dim() not in (1, 2):
        fail("expected a 1D or 2D tensor")
    x = input.unsqueeze(0) if input.dim() == 1 else input
    if align_to_window:
        left = (n_fft - win) // 2
        x = _pad(x, [left, n_fft - win - left])
    length = x.shape[1]
    if n_fft <= 0 or n_fft > length:
        fail(f"expected 0 < n_fft < {length}, but got n_fft={win}")
    if hop <= 0:
        fail(f"expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        fail(f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        fail(f"expected a 1D window tensor of size equal to win_length={win}, but got window with size "
             f"{list(window.shape)}")
    w = window
    if win < n_fft:  # the window centred in n_fft zeros
        left = (n_fft - win) // 2
        w = zeros(n_fft, dtype=(input if window is None else window).dtype, device=input.device)
        if window is None:
            w[left:left + win] = 1
        else:
            w.narrow(0, left, win).copy_(window)
    frames = _Frames.apply(x, 1, n_fft, hop)
    if w is not None:
        frames = frames.mul(w)
    complex_fft = frames.dtype.is_complex
    if onesided is None:
        onesided = not complex_fft
    mode = "sqrt" if normalized else "none"
    if complex_fft:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        out = S.FftC2C.apply(frames, (2,), mode, True)
    else:
        out = S.FftR2C.apply(frames, (2,), mode, onesided)
    out.transpose_(1, 2)
    if input.dim() == 1:
        out.squeeze_(0)
    keep_complex = complex_in if return_complex is None else return_complex
    return out if keep_complex else ViewAsReal.apply(out)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """The inverse short-time Fourier transform: the signal whose :func:`stft` is ``input``
    (exactly, when the overlapping squared windows add up to a nonzero envelope), by the
    inverse transform of every frame, then windowed overlap-add divided by the envelope.

    Args:
        input: the complex spectrogram ``(freq, n_frames)`` or ``(B, freq, n_frames)``, as
            returned by ``stft(..., return_complex=True)``.
        n_fft: the frame size given to :func:`stft`.
        hop_length: as given to :func:`stft` (default ``n_fft // 4``).
        win_length: as given to :func:`stft` (default ``n_fft``).
        window: as given to :func:`stft` (default: a rectangular one, warned once).
        center: as given to :func:`stft` (default ``True``).
        normalized: as given to :func:`stft` (default ``False``).
        onesided: whether ``input`` holds ``n_fft // 2 + 1`` frequencies (the default when
            ``freq != n_fft``) or all ``n_fft``.
        length: the signal's length: the result is cut, or padded with zeros (and a
            once-per-process warning), to it (default: ``n_fft + hop * (n_frames - 1)``,
            less ``2 * (n_fft // 2)`` with ``center``).
        return_complex: a complex signal (a two-sided ``input`` and no ``onesided``);
            default ``False``, a real one.

    Returns:
        The signal, ``(L,)`` or ``(B, L)``.

    Raises:
        RuntimeError: for a real or empty input, a ``freq`` that does not match ``n_fft``
            and ``onesided``, a ``hop_length`` not in ``(0, win_length]``, a ``win_length``
            not in ``(0, n_fft]``, a window of the wrong shape, an envelope below ``1e-11``
            somewhere (a window that does not overlap enough).
        IndexError: for a 1-D input.

    Mirrors ``torch.istft`` (and ``Tensor.istft``), node for node.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([0., 1., 2., 3., 2., 1., 0., -1.])
        >>> w = torch.hann_window(4)
        >>> s = torch.stft(x, 4, hop_length=1, window=w, return_complex=True)
        >>> torch.istft(s, 4, hop_length=1, window=w)
        tensor([ 0.,  1.,  2.,  3.,  2.,  1.,  0., -1.])
    """
    n_fft = int_arg(n_fft, "istft", "n_fft", 2)
    hop = n_fft >> 2 if hop_length is None else int_arg(hop_length, "istft", "hop_length", 3)
    win = n_fft if win_length is None else int_arg(win_length, "istft", "win_length", 4)
    if window is None:
        warn_once(_NO_WINDOW_INVERSE, stacklevel=0)
    if not input.dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")

    def fail(what, sep=" : "):
        raise RuntimeError(
            f"istft({tensor_string(input)}{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, "
            f"window={_window_repr(window)}, center={int(center)}, normalized={int(normalized)}, "
            f"onesided={_opt(onesided)}, length={_opt(length)}, return_complex={int(return_complex)}){sep}{what}")

    x = ViewAsReal.apply(input)
    dims = x.dim()
    n_frames = x.shape[-2]
    fft_size = x.size(-3)  # (PyTorch's IndexError for a 1-D input)
    expected_len = n_fft + hop * (n_frames - 1)
    if x.numel() == 0:
        fail("input tensor cannot be empty.")
    if dims not in (3, 4):
        fail(f"expected a tensor with 3 or 4 dimensions, but got {dims}")
    side = fft_size != n_fft if onesided is None else onesided
    if side and n_fft // 2 + 1 != fft_size:
        fail("expected the frequency dimension (3rd to the last) of the input tensor to match n_fft / 2 + 1 when "
             f"onesided=True, but got {fft_size}")
    if not side and n_fft != fft_size:
        fail("expected the frequency dimension (3rd to the last) of the input tensor to match n_fft when "
             f"onesided=False, but got {fft_size}")
    if not 0 < hop <= win:
        fail("expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        fail("expected 0 < win_length <= n_fft")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        fail("Invalid window shape. window has to be 1D and length of `win_length`")
    w = ones(win, dtype=x.dtype, device=x.device) if window is None else window
    if win != n_fft:
        left = (n_fft - win) // 2
        w = _pad(w, [left, n_fft - win - left])
    if dims == 3:
        x = x.unsqueeze(0)
    x = ViewAsComplex.apply(x.transpose(1, 2))  # (channel, n_frames, fft_size)
    mode = "sqrt" if normalized else "n"
    if return_complex:
        if side:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        x = S.FftC2C.apply(x, (2,), mode, False)
    else:
        if window is not None and window.dtype.is_complex:
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not side:
            x = x[:, :, :n_fft // 2 + 1]
        x = S.FftC2R.apply(x, (2,), mode, n_fft)
    y = _overlap_add(x * w.view(1, 1, n_fft), expected_len, n_fft, hop)
    envelope = _overlap_add(w.pow(2).expand(1, n_frames, n_fft), expected_len, n_fft, hop)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = -(n_fft // 2) if center else expected_len
    first, stop, _ = slice(start, end).indices(expected_len)  # (at::slice: SliceBackward0 even when whole)
    y = y.narrow(1, first, max(stop - first, 0))
    envelope = envelope.narrow(1, first, max(stop - first, 0))
    if bool(envelope.abs().min().lt(1e-11)):
        fail(f"window overlap add min: 1\n[ {'CUDA' if input.device.type == 'cuda' else 'CPU'}BoolType{{}} ]",
             sep=" ")
    y = y / envelope
    if dims == 3:
        y = y.squeeze(0)
    if end > expected_len:
        warn_once(_TOO_LONG, stacklevel=0)
        y = _pad(y, [0, end - expected_len])
    return y

