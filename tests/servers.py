"""Running Tinta as production runs it, for tests and benchmarks: gunicorn app
servers (and nginx in front) as real processes on 127.0.0.1, stopped at the end."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url, redis_url, static_root, **extra):
    """The environment of a production app server reached over plain HTTP on 127.0.0.1."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TINTA_", "GUNICORN_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_STATIC_ROOT=str(static_root),
        # TLS would be terminated in front of these servers.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def manage(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=True
    )


def wait_until_up(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s")


@contextlib.contextmanager
def gunicorn(env, port, workers=2):
    """A gunicorn app server on 127.0.0.1:port with the project's config file."""
    # The log goes to a file: a pipe nobody reads fills up, and then every worker
    # blocks writing its next log line (as when Redis is down and each request logs).
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py"],
        cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), "GUNICORN_ACCESS_LOG": ""},
        stdout=subprocess.DEVNULL, stderr=log, text=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    except TimeoutError:
        process.terminate()
        process.wait(timeout=10)
        log.seek(0)
        raise RuntimeError(f"gunicorn on port {port} did not start: {log.read()[-3000:]}")
    finally:
        log.close()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def nginx_config(app_ports, static_root, cache_dir, port):
    """deploy/nginx/tinta.conf with this run's ports and folders, inside a minimal nginx.conf."""
    site = (ROOT / "deploy" / "nginx" / "tinta.conf").read_text()
    upstream = "".join(f"    server 127.0.0.1:{app_port} max_fails=3 fail_timeout=10s;\n" for app_port in app_ports)
    site = site.replace(
        "    server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;\n    server 127.0.0.1:8001 max_fails=3 fail_timeout=10s;\n",
        upstream,
    )
    site = site.replace("/var/cache/nginx/tinta", str(cache_dir)).replace("/srv/tinta/staticfiles/", f"{static_root}/")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("server_name blog.example.com;", "server_name 127.0.0.1;")
    return f"""
user root;
worker_processes 1;
pid {cache_dir}/nginx.pid;
error_log {cache_dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {cache_dir}/body;
    proxy_temp_path {cache_dir}/proxy;
    fastcgi_temp_path {cache_dir}/fastcgi;
    uwsgi_temp_path {cache_dir}/uwsgi;
    scgi_temp_path {cache_dir}/scgi;
    {site}
}}
"""


@contextlib.contextmanager
def nginx(app_ports, static_root, workdir):
    """Debian's nginx on a free port in front of ``app_ports``, using the repo's config."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_config(app_ports, static_root, workdir, port))
    check = subprocess.run([str(NGINX), "-t", "-c", str(conf), "-p", str(workdir)], capture_output=True, text=True)
    if check.returncode:
        raise RuntimeError(f"nginx rejected the configuration: {check.stderr}")
    process = subprocess.Popen([str(NGINX), "-c", str(conf), "-p", str(workdir), "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def get(url, headers=None, timeout=10):
    """(status, headers, body text) of a GET, without raising on 4xx/5xx."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")
