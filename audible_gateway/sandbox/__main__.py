"""``python -m audible_gateway.sandbox --library FILE --port N``: the sandbox as a process.

One line per request goes to stderr (method, path, status, time); tokens never do.
"""

from __future__ import annotations

import argparse
import logging
import sys

from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from audible_gateway.sandbox.app import create_app
from audible_gateway.sandbox.loading import load_library
from audible_gateway.sandbox.state import Config
from audible_gateway.sandbox.state import SandboxState


class _Handler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        return None  # the app logs a redacted line instead of the raw request line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m audible_gateway.sandbox", description=__doc__)
    parser.add_argument("--library", help='JSON list of items or {"items": [...]}; default: sample')
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay every request")
    parser.add_argument("--page-cap", type=int, default=10_000, help="deepest page*num_results")
    args = parser.parse_args(argv)

    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s sandbox %(message)s"
    )
    if args.library:
        library = load_library(args.library)
    else:
        from audible_gateway.sandbox.data import sample_library

        library = sample_library()
    config = Config(page_cap=args.page_cap, latency_s=args.latency_ms / 1000.0)
    app = create_app(state=SandboxState(library, config))
    app.config["SANDBOX_LOG_REQUESTS"] = True
    server = make_server(args.host, args.port, app, threaded=True, request_handler=_Handler)
    logging.getLogger("audible_gateway.sandbox").info(
        "serving %d titles on http://%s:%d", len(library), args.host, server.server_port
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
