"""A throwaway PostgreSQL + PostGIS server for the tests: initdb into a temporary folder (as the ``postgres``
user when run as root, which PostgreSQL refuses to run as; else as the current user), listening on 127.0.0.1
at a free port (trust authentication, loopback only), every statement logged, stopped and deleted at the end.
Needs Debian's postgresql-15 and postgresql-15-postgis-3."""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "postgres"


def _bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is missing: apt-get install postgresql-15 postgresql-15-postgis-3")
    return found[-1]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """start() / stop(); ``dsn`` connects as the superuser to database ``postgres``; ``log`` is the server log."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="wifidensity-pg-"))
        self.port = _free_port()
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.dsn = f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres"

    def _as_postgres(self, *command):
        as_user = ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []
        subprocess.run(as_user + list(command), check=True, capture_output=True, text=True)

    def start(self):
        if os.geteuid() == 0:
            account = pwd.getpwnam(USER)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._as_postgres(_bin("initdb"), "-D", str(self.data), "-U", USER, "-A", "trust", "--no-sync",
                          "--encoding=UTF8", "--locale=C")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c log_statement=all "
                   "-c fsync=off -c full_page_writes=off")
        self._as_postgres(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        return self

    def stop(self):
        try:
            self._as_postgres(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
