"""The serving process tunes its garbage collector once the application is loaded."""

import subprocess
import sys

from shopfloor.runtime import GC_THRESHOLDS


def test_loading_the_asgi_application_tunes_the_garbage_collector():
    # A fresh interpreter: the test process itself must not be tuned by importing the module.
    probe = "import gc, shopfloor.asgi; print(gc.get_threshold(), gc.get_freeze_count() > 0)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split("\n")[0] == f"{GC_THRESHOLDS} True"
