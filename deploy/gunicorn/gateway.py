"""gunicorn settings for the gateway.

Usage: ``gunicorn -c deploy/gunicorn/gateway.py 'audible_gateway:create_app()'``.

The original deployment ran 2 workers with a 120 s timeout (a whole-library fetch of a large
account can take a while); both are tunable from the environment.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8001')}"  # noqa: S104
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "4"))
timeout = int(os.environ.get("GATEWAY_TIMEOUT", "120"))
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
# Never log request headers or bodies: they carry the shared secret and sealed blobs.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
