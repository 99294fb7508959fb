"""Warnings the command line filters because they are known and harmless.

- PyTensor warns "could not link to a BLAS installation" the first time it compiles C code
  without a system BLAS (pip installs): it then uses NumPy's BLAS through the C API, which is
  slower but exact, and our models are small. Installing OpenBLAS (`apt-get install
  libopenblas-dev`) removes the cause.
- ArviZ 0.2x announces its coming refactor with a FutureWarning on import; nothing we call
  changes meaning.

Only these messages are filtered; any other warning still shows.
"""

from __future__ import annotations

import warnings

KNOWN = [
    (UserWarning, r"PyTensor could not link to a BLAS installation"),
    (FutureWarning, r"ArviZ is undergoing a major refactor"),
]


def silence_known_warnings() -> None:
    """Filter the KNOWN warnings for the rest of the process."""
    for category, message in KNOWN:
        warnings.filterwarnings("ignore", message=message, category=category)
