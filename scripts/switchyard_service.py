"""`switchyard serve` on a free loopback port, for the scripts that drive the built binary (dashboard_check.py,
report-benchmark)."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request


class Service:
    """Starts `binary serve --db DB [--config CONFIG]` on 127.0.0.1 and waits (at most `wait` seconds) for /healthz.
    Its output goes to `log`, a path; `key` is the admin key `call(admin=True)` sends."""

    def __init__(self, binary, database, log, config=None, key=None, environment=None, wait=60):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.key = key
        command = [binary, "serve", "--db", database, "--host", "127.0.0.1", "--port", str(self.port),
                   "--log-level", "warning"] + (["--config", config] if config else [])
        self.log = open(log, "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=self.log,
                                        env=dict(os.environ, **(environment or {})))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        with open(log) as file:
            sys.exit(f"{os.path.basename(sys.argv[0])}: the server did not start:\n{file.read()}")

    def call(self, path, body=None, admin=False, timeout=30):
        """The JSON answer and headers of GET `path`, or of POST `body` as JSON."""
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode() if body else None,
                                         headers={"content-type": "application/json"})
        if admin and self.key:
            request.add_header("authorization", f"Bearer {self.key}")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response), response.headers

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()
