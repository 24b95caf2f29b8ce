"""A throwaway PostgreSQL server for the fault tests: its own data directory
and port, so that it can be stopped and restarted without disturbing the
shared cluster other tests use."""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

# The same variable names the server tools for `flask backup`.
PG_BIN = Path(os.environ.get("PG_BIN_DIR") or "/usr/lib/postgresql/15/bin")
AS_ROOT = os.geteuid() == 0


def available() -> bool:
    return (PG_BIN / "initdb").exists() and (not AS_ROOT or shutil.which("runuser") is not None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivatePostgres:
    """initdb, start, stop and restart one server; ``url`` reaches its
    ``senda`` database as the ``senda`` role."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="senda-faults-pg-"))
        if AS_ROOT:  # initdb and postgres refuse to run as root
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://senda:senda@127.0.0.1:{self.port}/senda"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(PG_BIN / tool), *args]
        if AS_ROOT:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE ROLE senda LOGIN PASSWORD 'senda'")
            conn.execute("CREATE DATABASE senda OWNER senda")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
