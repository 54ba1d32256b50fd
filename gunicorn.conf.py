"""gunicorn settings for `make run` and the Docker image (`gunicorn -c gunicorn.conf.py`).

How many worker processes depends on where rate limits are counted (app/ratelimits.py): one
process with threads on `memory://`, WEB_CONCURRENCY (default 2) on a shared store such as
Redis. The number actually started is exported as WEB_CONCURRENCY, so every worker's app checks
the real figure: several processes on `memory://` is refused in production (each worker fails to
boot with the reason, and gunicorn stops) and logged as a WARNING elsewhere.
"""
import os

from app.ratelimits import worker_count

workers = worker_count(os.environ)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
accesslog = "-"
# gunicorn's control socket can change the worker count at run time, behind the rule above, and
# its default path ($HOME/.gunicorn/gunicorn.ctl) is shared by every gunicorn of one user.
control_socket_disable = True


def on_starting(server):
    # server.cfg.workers includes a --workers given on the command line, which wins over the above.
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)
