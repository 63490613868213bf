"""gunicorn settings for the tracker.

Usage: ``gunicorn -c deploy/gunicorn/tracker.py tracker_api.config.wsgi``.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("TRACKER_WORKERS", "2"))
threads = int(os.environ.get("TRACKER_THREADS", "4"))
# The threaded worker, with gunicorn's own error answers (a request line over 4094 bytes, bad
# headers) in the API's JSON error shape: tracker_api/config/gunicorn_worker.py.
worker_class = "tracker_api.config.gunicorn_worker.JsonErrorThreadWorker"
timeout = int(os.environ.get("TRACKER_TIMEOUT", "120"))
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
