"""The command line filters the known, harmless library warnings, and only those."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

from benchcast.cli.quiet import silence_known_warnings


def test_known_warnings_are_filtered_and_others_are_not():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        silence_known_warnings()
        warnings.warn("PyTensor could not link to a BLAS installation. Operations ...", UserWarning)
        warnings.warn("ArviZ is undergoing a major refactor to improve flexibility", FutureWarning)
        warnings.warn("something else entirely", UserWarning)
    assert [str(w.message) for w in seen] == ["something else entirely"]


def test_pytensor_blas_warning_is_silenced_where_it_is_raised(tmp_path):
    code = ("from benchcast.cli.quiet import silence_known_warnings; silence_known_warnings(); "
            "import pytensor; pytensor.config.blas__ldflags")
    env = {"PYTENSOR_FLAGS": f"base_compiledir={tmp_path}", "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}, timeout=120)
    assert r.returncode == 0 and "BLAS" not in r.stderr, r.stderr
