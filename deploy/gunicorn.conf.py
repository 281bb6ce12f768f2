"""gunicorn's settings for keywork in production (docs/deploy.md).

    gunicorn -c deploy/gunicorn.conf.py keywork.wsgi

Listens on 127.0.0.1:8000 behind the TLS proxy; GUNICORN_CMD_ARGS or --bind change it."""

import os

bind = os.environ.get("KEYWORK_BIND", "127.0.0.1:8000")
# Two workers a core is plenty for a service's staff; each holds its own database connection.
workers = int(os.environ.get("KEYWORK_WORKERS", str(2 * (os.cpu_count() or 1))))
# A request taking longer than this is ended (and the worker replaced).
timeout = 30
graceful_timeout = 30
# Requests are never logged with their query strings' values here: the access log carries
# the path only, and the audit trail (not the log) is the record of who saw what.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
errorlog = "-"
# The proxy in front is the only peer trusted to say the scheme (see TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1")
# A worker is restarted after this many requests, so a slow leak can never build up.
max_requests = 2000
max_requests_jitter = 200
