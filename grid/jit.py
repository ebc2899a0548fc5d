"""Where numba keeps its compiled kernels (`@njit(cache=True)` in dispatch/kernels.py and
storage/kernels.py).

numba writes its cache next to the source file; when the installed package folder is not writable
(a system-wide or read-only install) that fails at import with "no locator available". Importing
this module first points NUMBA_CACHE_DIR at a per-user folder in that case (only when the user has
not set it), so the kernels still compile once and load from the cache afterwards.
"""
import os
from pathlib import Path


def _ensure_cache_dir() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).resolve().parents[1]
    if os.access(here, os.W_OK):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    os.environ["NUMBA_CACHE_DIR"] = str(base / "npsim" / "numba")
    try:   # numba read its configuration already (e.g. pandapower imported it): re-read it
        from numba.core import config
        config.reload_config()
    except ImportError:
        pass


_ensure_cache_dir()
