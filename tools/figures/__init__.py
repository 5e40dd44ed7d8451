"""Pictures for the docs site, computed by running reftorch on each page's own example.

Each picture is one module here with:

* ``NAME`` -- the file name (``figures/<NAME>.svg`` next to the language's pages);
* ``PAGE`` -- the page (relative to ``docs/<lang>/``) whose example it draws;
* ``EXAMPLE`` -- the source lines of that example, which must appear verbatim in the page
  in both languages (tests/test_figures.py checks it, so the picture cannot drift from the
  page);
* ``data(torch)`` -- runs the example on an engine (reftorch at build time; the test also
  runs it on PyTorch) and returns plain Python numbers and lists;
* ``draw(data, lang)`` -- the SVG text, with labels in ``lang`` (``"en"`` or ``"zh"``).

``tools/figures_hook.py`` renders every picture into the site during ``mkdocs build``.
"""

from __future__ import annotations

import importlib

#: Picture modules, in the order of the site's navigation.
MODULES = [
    "view_strides",
    "squeeze",
    "cat_stack",
    "gather",
    "normal_samples",
    "autograd_graph",
    "embedding_padding",
    "rnn_unrolled",
    "packing",
    "dataloader",
    "conv_window",
    "attention",
    "lr_schedules",
    "benchmarks",
]


def figures():
    """The picture modules (imported lazily: matplotlib is a docs-only dependency)."""
    return [importlib.import_module(f"{__name__}.{m}") for m in MODULES]


def render(module, lang: str, torch=None) -> str:
    """The SVG text of one picture in one language, computed with reftorch by default."""
    if torch is None:
        torch = importlib.import_module("reftorch")
    return module.draw(module.data(torch), lang)
