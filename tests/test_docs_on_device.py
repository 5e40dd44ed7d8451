"""Every example of the site, run on an accelerator, prints what it prints on the CPU.

Each page of ``docs/en`` (the ``zh`` pages hold the same code) is run twice by
``tests/_doc_examples.py`` in a child process (one per device): once as it is, once with
``torch.set_default_device(device)`` so that every factory call (``torch.tensor``,
``zeros``, ``randn``, ``nn.Linear`` …) puts its tensor on ``device``. What each statement
prints is compared, after removing what names the device (``device='cuda:0'``, object
addresses). The devices:

* ``strict``: the array-api-strict stand-in, on every machine: the kernels CuPy runs,
  run by every example of the site;
* ``cuda``: CuPy on a GPU (``gpu`` marker; skipped where ``cupy.is_available()`` is False).
  ``scripts/gpu-check.sh`` runs it.

Some examples cannot behave the same on another device, by PyTorch's own rules (``.numpy()``
of a device tensor raises, ``x.cpu() is x`` is False there …). They are listed in
:data:`DEVICE_BOUND` with the reason; a listed statement must still differ (an entry that
no longer differs fails, so the list stays true). Differences that are reftorch bugs are
listed in :data:`KNOWN_BUGS`, also checked both ways.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reftorch._backends.cupy_backend import cupy_available

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "en"
PAGES = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
TIMEOUT_S = int(os.environ.get("REFTORCH_DOCS_DEVICE_TIMEOUT", "180"))

DEVICES = [
    "strict",
    pytest.param("cuda", marks=[pytest.mark.gpu,
                                pytest.mark.skipif(not cupy_available(), reason="needs CuPy and a CUDA GPU")]),
]

_ALL = ("strict", "cuda")
_CUDA = ("cuda",)
#: DataLoader workers are forked processes, and CUDA cannot be used again in a forked child:
#: with a CUDA default device the workers' tensors fail (PyTorch: "Cannot re-initialize CUDA
#: in forked subprocess"); the ``strict`` stand-in has no such limit.
_FORKED_CUDA = "DataLoader workers are forked: CUDA cannot be initialised in them (in PyTorch neither)"

#: (page, statement (its first line), devices, why): differences PyTorch itself has on a
#: non-CPU default device.
DEVICE_BOUND = [
    ("guide/library.md", 'x.to("cpu") is x', _ALL, "x lives on the device: .to('cpu') copies"),
    ("guide/library.md", "x.cpu() is x", _ALL, "x lives on the device: .cpu() copies"),
    ("guide/cuda.md", "isinstance(torch.ones(2), torch.cuda.FloatTensor), isinstance(torch.ones(2), torch.FloatTensor)",
     _ALL, "the legacy tensor types name a device: a tensor on another device is neither CPU type"),
    ("guide/tensors.md", "isinstance(torch.zeros(2), torch.FloatTensor)", _ALL,
     "torch.FloatTensor is the CPU type"),
    ("guide/tensors.md", "n = y.numpy()", _ALL, ".numpy() of a device tensor raises TypeError"),
    ("guide/tensors.md", "n.dtype", _ALL, "follows from n = y.numpy()"),
    ("guide/tensors.md", "n[0] = 5", _ALL, "follows from n = y.numpy()"),
    ("guide/tensors.md", "y", _ALL, "follows from n = y.numpy() (y is not written through n)"),
    ("guide/tensors.md", "x.is_cuda", _CUDA, "x lives on the GPU"),
    ("train/optim.md", "out.dtype, loss.dtype", _ALL,
     "a CPU autocast region casts CPU tensors only: the model on the device runs in float32"),
    ("train/optim.md", 'with torch.autocast("cpu", dtype=torch.float16):', _ALL,
     "a CPU autocast region casts CPU tensors only: a @ a on the device stays float32"),
    ("guide/view-reshape.md", "f.view(torch.float16).shape", ("strict",),
     "the strict stand-in (the array API's dtypes) has no float16; CuPy and PyTorch's devices have it"),
    ("nn/activations.md", "probs.sum(dim=1)", _CUDA,
     "the GPU sums float32 in another order: 0.99999994 instead of 1 (PyTorch's CUDA kernels too)"),
    ("data/pitfalls.md", "[b.tolist() for b in loader]", _CUDA, _FORKED_CUDA),
    ("data/datasets.md", "list(DataLoader(Sharded(6), batch_size=2, num_workers=2))", _CUDA, _FORKED_CUDA),
    ("data/dataloader.md", "for indices, worker in DataLoader(WhoLoadsIt(), batch_size=2, num_workers=2):",
     _CUDA, _FORKED_CUDA),
    ("data/dataloader.md", "[b.tolist() for b in DataLoader(ds, batch_size=2, num_workers=2)]", _CUDA,
     _FORKED_CUDA),
    ("data/dataloader.md", "for worker, seed, torch_seed, noise in loader:", _CUDA, _FORKED_CUDA),
    ("data/dataloader.md", "[b.tolist() for b in loader]", _CUDA, _FORKED_CUDA),
    ("data/dataloader.md", "two_epochs()", _CUDA, _FORKED_CUDA),
    ("data/dataloader.md", "two_epochs(persistent_workers=True)", _CUDA, _FORKED_CUDA),
]

#: (page, statement (its first line), devices, why): reftorch's deliberate limit: bfloat16
#: tensors live on the CPU only (CuPy has no bfloat16; neither has the stand-in).
_NO_BF16 = "reftorch has bfloat16 on the CPU only: TypeError on the device (PyTorch has it on CUDA)"
BFLOAT16_CPU_ONLY = [("guide/tensors.md", code, _ALL, _NO_BF16) for code in (
    "bf = torch.tensor([1.0, 2.5, 3.14159, 0.1], dtype=torch.bfloat16)", "bf", "bf.tolist()",
    "bf.element_size(), bf.type()", "bf * 0.1", "torch.ones(1000, dtype=torch.bfloat16).sum()",
    "(bf + torch.tensor([1, 2, 3, 4])).dtype", "(bf + torch.tensor([1.0], dtype=torch.float16)).dtype",
    "torch.tensor([0.1, 1.7]).bfloat16().float()", "bf.numpy()")]

#: (page, statement (its first line), devices, what is wrong): reftorch bugs this check
#: found, still open.
KNOWN_BUGS = []


def _normalize(text):
    text = re.sub(r"0x[0-9a-fA-F]+", "0x?", text)
    text = re.sub(r",\s*device='(strict|cuda:\d+)'", "", text)
    text = re.sub(r"device\(type='(strict|cuda)'(, index=\d+)?\)", "device(type='cpu')", text)
    text = text.replace("torch.cuda.", "torch.")
    return re.sub(r"\s+", " ", text).strip()


def _run_pages(device, out_dir):
    """Run every page on ``device`` in a child process; {page: records, or why not}."""
    out = out_dir / f"{device}.json"
    cmd = [sys.executable, str(ROOT / "tests" / "_doc_examples.py"), *(str(DOCS / p) for p in PAGES),
           "--device", device, "--json", str(out)]
    why = None
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)
        if proc.returncode:
            why = f"the runner failed on {device} (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    except subprocess.TimeoutExpired:
        why = f"the runner timed out after {TIMEOUT_S} s on {device}"
    done = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    return {page: done.get(str(DOCS / page), why or "not run") for page in PAGES}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    cache = {}

    def get(device):
        if device not in cache:
            cache[device] = _run_pages(device, tmp_path_factory.mktemp(f"docs-{device}"))
        return cache[device]

    return get


def _expected_differences(page, device):
    out = {}
    for table in (DEVICE_BOUND, BFLOAT16_CPU_ONLY, KNOWN_BUGS):
        for p, code, devices, why in table:
            if p == page and device in devices:
                out[code] = why
    return out


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("page", PAGES)
def test_page_prints_the_same_on_device(runs, page, device):
    cpu, dev = runs("cpu")[page], runs(device)[page]
    assert not isinstance(cpu, str), cpu
    assert not isinstance(dev, str), dev
    assert [r["code"] for r in cpu] == [r["code"] for r in dev]
    expected = _expected_differences(page, device)
    problems, differing = [], set()
    for a, b in zip(cpu, dev):
        if _normalize(a["output"]) == _normalize(b["output"]):
            continue
        differing.add(a["code"])
        if a["code"] not in expected:
            problems.append(f"line {a['line']}: `{a['code']}`\n  cpu:    {a['output'].strip()[:400]}\n"
                            f"  {device}: {b['output'].strip()[:400]}")
    # A listed statement (any of its occurrences on the page) must still differ.
    problems += [f"`{code}` is listed as differing on {device} ({why}) but prints the same "
                 "(or is no statement of the page): remove the entry"
                 for code, why in expected.items() if code not in differing]
    assert not problems, f"docs/en/{page} on {device}:\n" + "\n".join(problems)


def test_cpu_run_of_the_pages_works(runs):
    """The reference run itself: every page ran (its examples' own checks are Sybil's)."""
    failed = {page: rec for page, rec in runs("cpu").items() if isinstance(rec, str)}
    assert not failed, failed
    assert sum(len(rec) for rec in runs("cpu").values()) > 500  # the site has many examples
