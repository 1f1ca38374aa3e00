"""The distributed platform as separate processes, exactly those ``jiangong.deployment`` names:
the one-shot ``migrate`` and ``topics`` first, then each service's API (``serve NAME`` under
gunicorn on a free loopback port, one worker) and its worker (``worker NAME``: relay, consumers,
jobs), each with the environment its ``Process`` lists and a log file of its own.

Each worker serves its metrics on a free port of its own (``--metrics-port``), which
``worker_metrics`` reads. A test can kill one process with SIGKILL, stop it
for a while (SIGSTOP/SIGCONT), start it again with the same command and environment, and read
any service's database; ``stop`` ends everything (SIGTERM, then SIGKILL for what does not stop
in time).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, create_engine, text

from jiangong.deployment import Process, base_url_variable, database_variable, processes
from tests.support import http
from tests.support.broker import free_port
from tests.support.polling import wait_until

OWN_VARIABLES = ("JIANGONG_", "KAFKA_", "DATABASE_URL")
"""What the test's own environment may hold that a process must get only from its ``Process``."""


class DistributedPlatform:
    """The platform's processes, started from ``jiangong.deployment.processes()``."""

    def __init__(
        self,
        workdir: Path,
        *,
        bootstrap_servers: str,
        databases: Mapping[str, str],
        secret: str,
        pii_key: str,
    ):
        self.workdir = workdir
        self.databases = dict(databases)
        self.values = {
            "JIANGONG_ENV": "production",
            "JIANGONG_SECRET": secret,
            "JIANGONG_PII_KEY": pii_key,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
            **{database_variable(name): url for name, url in databases.items()},
        }
        self.steps = {process.name: process for process in processes()}
        self.services = [p.command[1] for p in self.steps.values() if p.command[0] == "serve"]
        self.ports = {name: free_port() for name in self.services}
        self.values.update({base_url_variable(name): self.base_url(name) for name in self.services})
        self.metrics_ports = {name: free_port() for name in self.services}
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.starts: dict[str, int] = {}
        self._engines: dict[str, Engine] = {}
        self.timings: dict[str, float] = {}
        """Seconds each start-up step took: the one-shot steps, then the APIs' readiness."""

    # -- processes -------------------------------------------------------------------------

    def environment(self, process: Process) -> dict[str, str]:
        """The process's listed variables, over a base environment cleared of the platform's."""
        base = {k: v for k, v in os.environ.items() if not k.startswith(OWN_VARIABLES)}
        missing = [name for name in process.environment if name not in self.values]
        assert not missing, f"{process.name} needs {missing}, which the platform does not set"
        return {**base, **{name: self.values[name] for name in process.environment}}

    def arguments(self, process: Process) -> list[str]:
        if process.command[0] == "serve":
            port = str(self.ports[process.command[1]])
            return [*process.command, "--host", "127.0.0.1", "--port", port, "--workers", "1"]
        if process.command[0] == "worker":  # a free port, not the default
            return [*process.command, "--metrics-port", str(self.metrics_ports[process.command[1]])]
        return list(process.command)

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def launch(self, name: str) -> subprocess.Popen[bytes]:
        process = self.steps[name]
        self.starts[name] = self.starts.get(name, 0) + 1
        with self.log_path(name).open("ab") as log:  # the child keeps its own descriptor
            log.write(f"--- start {self.starts[name]}\n".encode())
            log.flush()
            child = subprocess.Popen(
                [sys.executable, "-m", "jiangong.cli", *self.arguments(process)],
                env=self.environment(process),
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not process.one_shot:
            self.running[name] = child
        return child

    def start(self, ready_timeout: float = 90.0) -> None:
        """The one-shot steps, each to its end, then every long-lived process; returns once
        every API answers ``/readyz`` (its database migrated, its broker reachable)."""
        for process in self.steps.values():
            if process.one_shot:
                began = time.monotonic()
                code = self.launch(process.name).wait(timeout=120)
                assert code == 0, f"{process.name} exited {code}: {self.tail(process.name)}"
                self.timings[process.name] = time.monotonic() - began
        began = time.monotonic()
        for process in self.steps.values():
            if not process.one_shot:
                self.launch(process.name)
        for service in self.services:
            self.wait_ready(service, ready_timeout)
        self.timings["APIs ready"] = time.monotonic() - began

    def wait_ready(self, service: str, timeout: float = 60.0) -> None:
        def ready() -> bool:
            child = self.running[service]
            assert child.poll() is None, f"{service} exited: {self.tail(service)}"
            return self.status(service, "/readyz") == 200

        wait_until(ready, timeout=timeout, every=0.25)

    def kill(self, name: str) -> None:
        """SIGKILL: no handler runs, nothing is drained or committed."""
        child = self.running[name]
        child.send_signal(signal.SIGCONT)  # a stopped process dies as well, but say so plainly
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)

    def suspend(self, name: str) -> None:
        self.running[name].send_signal(signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self.running[name].send_signal(signal.SIGCONT)

    def restart(self, name: str) -> None:
        """Start a killed (or stopped) process again with the same command and environment."""
        child = self.running.get(name)
        assert child is None or child.poll() is not None, f"{name} is still running"
        self.launch(name)
        if name in self.services:
            self.wait_ready(name)

    def alive(self, name: str) -> bool:
        return self.running[name].poll() is None

    def stop(self, timeout: float = 30.0) -> dict[str, int]:
        """SIGTERM to every process, then SIGKILL to what has not ended after ``timeout``;
        returns each one's exit code (negative: the signal that ended it)."""
        for child in self.running.values():
            if child.poll() is None:
                child.send_signal(signal.SIGCONT)
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        codes: dict[str, int] = {}
        for name, child in self.running.items():
            try:
                codes[name] = child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                codes[name] = child.wait(timeout=10)
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        return codes

    def tail(self, name: str, characters: int = 3000) -> str:
        try:
            return self.log_path(name).read_text(errors="replace")[-characters:]
        except OSError:
            return "(no log)"

    # -- HTTP ------------------------------------------------------------------------------

    def base_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def status(self, service: str, path: str) -> int:
        return http.status(self.base_url(service) + path)

    def call(
        self,
        service: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        data: bytes | None = None,
        content_type: str = "application/json",
        timeout: float = 30.0,
    ) -> tuple[int, Any]:
        """One request to a service's API: ``(status, decoded JSON body or None)``."""
        url = self.base_url(service) + path
        return http.call(
            url, method, body, token=token, data=data, content_type=content_type, timeout=timeout
        )

    def worker_metrics(self, service: str) -> dict[str, float]:
        """The service's worker's Prometheus samples (summed over their labels) since it last
        started."""
        url = f"http://127.0.0.1:{self.metrics_ports[service]}/metrics"  # loopback: no token
        with urllib.request.urlopen(url, timeout=5) as answer:
            exposition = answer.read().decode()
        samples: dict[str, float] = {}
        for family in text_string_to_metric_families(exposition):
            for sample in family.samples:
                samples[sample.name] = samples.get(sample.name, 0.0) + sample.value
        return samples

    # -- databases -------------------------------------------------------------------------

    def engine(self, service: str) -> Engine:
        """An engine on the service's own database (the test's reads, never its writes)."""
        if service not in self._engines:
            self._engines[service] = create_engine(self.databases[service], pool_size=2)
        return self._engines[service]

    def scalar(self, service: str, sql: str, **parameters: Any) -> Any:
        with self.engine(service).connect() as connection:
            return connection.execute(text(sql), parameters).scalar()

    def rows(self, service: str, sql: str, **parameters: Any) -> list[Any]:
        with self.engine(service).connect() as connection:
            return list(connection.execute(text(sql), parameters))
