#!/usr/bin/env bash
# The GPU check: reftorch on CuPy, in one command, in a few minutes.
#
#   scripts/gpu-check.sh                    run the check (any extra arguments go to pytest)
#   scripts/gpu-check.sh --download-wheels [pip download options]
#                                           on a machine with network: fill scripts/.whl/ with
#                                           the wheels the check needs (for another machine, pass
#                                           e.g. --python-version 3.12 --platform manylinux2014_x86_64
#                                           --only-binary=:all:); add a CuPy wheel if the GPU
#                                           machine has none (pip download cupy-cuda13x ...)
#
# It runs
#   1. tests/test_backend_contract.py  every backend primitive, on NumPy, the strict stand-in and CuPy;
#   2. tests/test_devices.py           every op's values, gradients and strides on cuda vs cpu;
#   3. tests/test_docs_on_device.py    every site example with torch.set_default_device("cuda"),
#                                      its printed output compared with the CPU run;
#   4. the `gpu`-marked tests of the other files, when PyTorch (their oracle) is installed.
#
# Needs Python >= 3.10 and, for the GPU part, an NVIDIA GPU with CuPy for its CUDA major
# version (cupy-cuda11x, cupy-cuda12x, cupy-cuda13x ...). Nothing else is assumed: what is
# missing (numpy, pytest, array-api-strict, array-api-compat, CuPy) is installed into
# .gpu-deps/ (a pip --target folder, no venv needed), from a .whl/ folder beside this
# script (scripts/.whl/) or at the repository root when there is one (pip --no-index:
# no network needed), else from the package index. Sybil and PyTorch are not needed.
#
# Exit status: 0 when everything passed (on a machine without a GPU the GPU tests skip and
# the check says so); non-zero when a test fails, or when a GPU is present (nvidia-smi
# lists one) but CuPy cannot use it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"
py="${PYTHON:-$(command -v python3 || command -v python)}"
deps="$root/.gpu-deps"
# numpy >= 2 (the CPU backend), the pinned strict stand-in, and the CuPy adapter.
pkgs=("numpy>=2.0" "pytest>=8" "array-api-strict==2.6.1" "array-api-compat>=1.12")

wheels=""
for d in "$here/.whl" "$root/.whl"; do
    if [ -d "$d" ]; then wheels="$d"; break; fi
done

if [ "${1:-}" = "--download-wheels" ]; then
    shift
    mkdir -p "$here/.whl"
    "$py" -m pip download --dest "$here/.whl" "$@" "${pkgs[@]}"
    echo "wheels in $here/.whl; add a CuPy wheel for the target's CUDA version (pip download cupy-cuda12x ...)"
    exit 0
fi

say() { printf '\n== %s\n' "$*"; }

# ----------------------------------------------------------------- 1. what the machine has
say "machine"
"$py" --version
gpu_present=0
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q "^GPU"; then
    gpu_present=1
    nvidia-smi -L
    cuda_major="$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9]*\).*/\1/p' | head -n1)"
    echo "driver supports CUDA ${cuda_major:-?}"
else
    echo "no NVIDIA GPU found (nvidia-smi lists none): the GPU tests will skip"
fi

# ----------------------------------------------------------------- 2. dependencies
export PYTHONPATH="$deps:$root${PYTHONPATH:+:$PYTHONPATH}"
missing() {  # the requirements among "$@" not met: module missing, too old, or not the pinned version
    "$py" - "$@" <<'PYEOF'
import importlib, re, sys
num = lambda v: tuple(int(x) for x in re.findall(r"\d+", v)[:3])
for req in sys.argv[1:]:
    name, op, want = re.match(r"([\w-]+)\s*(>=|==)?\s*([\d.]*)", req).groups()
    try:
        have = importlib.import_module(name.replace("-", "_")).__version__
    except Exception:
        print(req)
        continue
    if (op == ">=" and num(have) < num(want)) or (op == "==" and num(have) != num(want)):
        print(req)
PYEOF
}
install() {
    if [ -n "$wheels" ]; then
        echo "installing from $wheels: $*"
        "$py" -m pip install --quiet --disable-pip-version-check --no-index --no-deps --find-links "$wheels" \
            --target "$deps" --upgrade "$@"
    else
        echo "installing from the package index: $*"
        "$py" -m pip install --quiet --disable-pip-version-check --target "$deps" --upgrade "$@"
    fi
}
say "dependencies"
mapfile -t need < <(missing "${pkgs[@]}")
if [ "${#need[@]}" -gt 0 ]; then install "${need[@]}"; fi
if ! "$py" -c "import cupy" >/dev/null 2>&1; then
    cupy_wheel=""
    if [ -n "$wheels" ]; then cupy_wheel="$(ls "$wheels"/cupy_cuda*.whl 2>/dev/null | head -n1 || true)"; fi
    if [ -n "$cupy_wheel" ]; then
        install "$cupy_wheel"
    elif [ "$gpu_present" = 1 ] && [ -n "${cuda_major:-}" ]; then
        install "cupy-cuda${cuda_major}x" || echo "could not install cupy-cuda${cuda_major}x"
    fi
fi
"$py" - <<'EOF'
import importlib
for name in ("numpy", "pytest", "array_api_strict", "array_api_compat", "cupy", "torch"):
    try:
        m = importlib.import_module(name)
        print(f"{name:18s} {getattr(m, '__version__', '?')}")
    except Exception as exc:  # noqa: BLE001
        print(f"{name:18s} not available ({type(exc).__name__})")
EOF

# ----------------------------------------------------------------- 3. CuPy sees the GPU?
cupy_ok="$("$py" -c 'from reftorch._backends.cupy_backend import cupy_available as a; print(int(a()))')"
if [ "$gpu_present" = 1 ] && [ "$cupy_ok" != 1 ]; then
    "$py" -c "import cupy; cupy.zeros(1)" || true
    echo "FAIL: a GPU is present but CuPy cannot use it (see the error above); the check did not run" >&2
    exit 2
fi
if [ "$cupy_ok" = 1 ]; then
    "$py" -c "import cupy; d = cupy.cuda.runtime.getDeviceProperties(0); print('CuPy', cupy.__version__, 'on', d['name'].decode(), '| CUDA runtime', cupy.cuda.runtime.runtimeGetVersion())"
fi

# ----------------------------------------------------------------- 4. the tests
# --noconftest: the root conftest.py collects the site with Sybil, which is not needed here.
pytest_args=(-p no:cacheprovider --noconftest -q -rs)
files=(tests/test_backend_contract.py tests/test_devices.py tests/test_docs_on_device.py)
say "backend contract, ops on every device, site examples on every device"
status=0
"$py" -m pytest "${pytest_args[@]}" "${files[@]}" "$@" || status=$?

mapfile -t marked < <(grep -l "pytest.mark.gpu" tests/test_*.py | grep -v -e test_backend_contract -e test_devices -e test_docs_on_device || true)
if [ "${#marked[@]}" -gt 0 ]; then
    say "gpu-marked tests of the other files: ${marked[*]}"
    if "$py" -c "import torch" >/dev/null 2>&1; then
        rc=0
        "$py" -m pytest "${pytest_args[@]}" -m gpu "${marked[@]}" "$@" || rc=$?
        if [ "$rc" != 0 ] && [ "$rc" != 5 ]; then status=$rc; fi  # 5: none selected
    else
        echo "NOT RUN: these files compare with PyTorch, which is not installed here"
    fi
fi

say "result"
if [ "$status" = 0 ]; then
    if [ "$cupy_ok" = 1 ]; then echo "PASS on the GPU"; else echo "PASS (CPU only: no usable GPU, the GPU tests skipped)"; fi
else
    echo "FAIL (pytest exit status $status)"
fi
exit "$status"
