"""`muster serve` refuses a body over its route's limit without reading it: 300 MB sent to
login or to a screening, with a Content-Length or chunked, grows the server by under 10 MB."""

from __future__ import annotations

import json
import select
import signal
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from muster.demo.scenario import demo_password
from tests.e2e.cli_helpers import Cli
from tests.e2e.test_serve import call, free_port, wait_ready

MB = 1024 * 1024
SENT = 300 * MB
GROWTH_LIMIT = 10 * MB


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def problem(self) -> dict[str, object]:
        assert self.headers["content-type"] == "application/problem+json"
        found: dict[str, object] = json.loads(self.body)
        return found


def send_large(port: int, path: str, size: int, chunked: bool, token: str | None) -> Answer:
    """POST `size` bytes to `path`, a megabyte at a time, until the server answers (or closes
    the connection); then read its answer. Bounded: 60 s at most."""
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    if token:
        head.append(f"Authorization: Bearer {token}")
    piece = b" " * MB
    frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
    deadline = time.monotonic() + 60
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        try:
            for _ in range(size // MB):
                assert time.monotonic() < deadline, "the server neither read nor answered"
                if select.select([sock], [], [], 0)[0]:
                    break  # answered before the whole body was sent
                sock.sendall(frame)
            else:
                sock.sendall(b"0\r\n\r\n" if chunked else b"")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed the connection: read its answer
        return read_answer(sock)


def read_answer(sock: socket.socket) -> Answer:
    data = b""
    while b"\r\n\r\n" not in data:
        data += receive(sock)
    head, body = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers["content-length"]):
        body += receive(sock)
    return Answer(int(status_line.split()[1]), headers, body)


def receive(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    assert chunk, "the connection closed before the answer was complete"
    return chunk


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for process {pid}")


def growth_while(pid: int, send: Callable[[], Answer]) -> tuple[Answer, int]:
    """What `send()` answered, and how many bytes the process's resident memory grew by, at
    its peak (VmHWM reset beforehand through clear_refs), or else at the end."""
    peak_known = True
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # the peak starts again from now
    except OSError:
        peak_known = False
    before = status_kb(pid, "VmRSS")
    answer = send()
    after = status_kb(pid, "VmHWM" if peak_known else "VmRSS")
    return answer, (after - before) * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int, str]]:
    """A demo registry served by one process: (its pid, its port, an officer's token)."""
    cli = Cli(tmp_path_factory.mktemp("serve-limits"))
    cli.json("demo", "--size", "500", "--seed", "6", "--no-serve")
    port = free_port()
    proc = cli.popen("serve", "--port", str(port))
    try:
        wait_ready(f"http://127.0.0.1:{port}/api/v1")
        login = {"name": "oficial", "password": demo_password("oficial")}
        token = call(f"http://127.0.0.1:{port}/api/v1/auth/login", login)["token"]
        yield proc.pid, port, token
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)


CASES = [
    pytest.param("/api/v1/auth/login", False, 413, id="login"),
    pytest.param("/api/v1/screenings", True, 413, id="screening"),
    pytest.param("/api/v1/screenings", False, 401, id="screening-without-credentials"),
]


@pytest.mark.slow
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize(("path", "with_token", "status"), CASES)
def test_300_mb_grows_the_server_by_under_10_mb(
    server: tuple[int, int, str], path: str, with_token: bool, status: int, chunked: bool
) -> None:
    pid, port, token = server
    answer, grew = growth_while(
        pid, lambda: send_large(port, path, SENT, chunked, token if with_token else None)
    )
    assert grew < GROWTH_LIMIT, f"the server grew by {grew / MB:.1f} MB"
    assert answer.status == status, answer.body
    problem = answer.problem()
    assert problem["status"] == status
    if status == 413:
        assert problem["code"] == "BodyTooLargeError"
        assert f"over the limit of {MB} bytes" in str(problem["detail"])
    assert answer.headers["connection"] == "close"  # the client is told to stop sending
    assert call(f"http://127.0.0.1:{port}/api/v1/health") == {"status": "ready"}
