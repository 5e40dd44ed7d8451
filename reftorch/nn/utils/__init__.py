"""``reftorch.nn.utils``: gradient clipping, parameters as one vector, the ``rnn``
packing helpers, parametrizations (``parametrize``, ``parametrizations``), the older
hook-based ``weight_norm`` / ``spectral_norm``, ``stateless.functional_call``, ``skip_init``
and the conv/linear + batch-norm fusions."""
from __future__ import annotations

import importlib.util as _ilu

if _ilu.find_spec(f"{__name__}.clip_grad") is not None:
    from .clip_grad import clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm, clip_grads_with_norm_  # noqa: F401

from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from . import parametrize, parametrizations, stateless  # noqa: F401
from .weight_norm import weight_norm, remove_weight_norm  # noqa: F401
from .spectral_norm import spectral_norm, remove_spectral_norm  # noqa: F401
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights  # noqa: F401
from .init import skip_init  # noqa: F401
from .memory_format import convert_conv2d_weight_memory_format, convert_conv3d_weight_memory_format  # noqa: F401

# nn.utils.rnn is written alongside; tolerate only its absence.
if _ilu.find_spec(f"{__name__}.rnn") is not None:
    from . import rnn  # noqa: F401

del _ilu
