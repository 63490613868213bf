"""gunicorn's default settings file, read when it starts from the repository root.

The gateway's documented start command is plain ``gunicorn 'audible_gateway:create_app()'``,
so its settings (2 workers, 120 s timeout, PORT, never logging headers) live here by default.
The tracker passes its own: ``gunicorn -c deploy/gunicorn/tracker.py tracker_api.config.wsgi``.
"""

import runpy
from pathlib import Path

_gateway = runpy.run_path(
    str(Path(__file__).resolve().parent / "deploy" / "gunicorn" / "gateway.py")
)
globals().update({k: v for k, v in _gateway.items() if not k.startswith("_") and k != "os"})
