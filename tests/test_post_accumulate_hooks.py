"""Tensor.register_post_accumulate_grad_hook against PyTorch: when hooks run (after each
accumulation into a leaf's .grad, also for backward(inputs=...), never for
autograd.grad), what they see, removal, an optimizer step inside the hook, errors."""
from __future__ import annotations

import pytest

from _compare import both


def _record(T, run):
    seen = []
    x = T.tensor([1.0, 2.0], requires_grad=True)
    h = x.register_post_accumulate_grad_hook(lambda t: seen.append((t is x, t.grad.tolist())))
    run(T, x, h)
    return seen, x.grad


CASES = {
    "two backwards": lambda T, x, h: ((x * 3).sum().backward(), (x * x).sum().backward()),
    "used twice in one graph": lambda T, x, h: (x * x + x).sum().backward(),
    "removed": lambda T, x, h: ((x * 3).sum().backward(), h.remove(), (x * 2).sum().backward()),
    "autograd.grad": lambda T, x, h: T.autograd.grad((x * 2).sum(), x),
    "backward(inputs=...)": lambda T, x, h: (x * 4).sum().backward(inputs=[x]),
    "create_graph": lambda T, x, h: (x ** 3).sum().backward(create_graph=True),
    "leaf itself": lambda T, x, h: x.backward(T.tensor([1.0, -1.0])),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_post_accumulate_hooks_as_pytorch(name):
    both(lambda T: _record(T, CASES[name]))


@pytest.mark.torch
def test_optimizer_step_inside_the_hook():
    def run(T):
        w = T.tensor([1.0, -2.0], requires_grad=True)

        def step(t):
            with T.no_grad():
                t.sub_(0.5 * t.grad)
            t.grad = None
        w.register_post_accumulate_grad_hook(step)
        (w * w).sum().backward()
        return w, w.grad
    both(run)


@pytest.mark.torch
def test_post_accumulate_hook_errors():
    both(lambda T: T.ones(2).register_post_accumulate_grad_hook(print), msg=True)
    both(lambda T: (T.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print), msg=True)

    def returns_value(T):
        x = T.ones(2, requires_grad=True)
        x.register_post_accumulate_grad_hook(lambda t: t * 2)
        (x * 1).sum().backward()
    both(returns_value, msg=True)
