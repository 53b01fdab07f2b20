"""What the command-line-driven end-to-end tests (tests/mail, tests/stats) share: a check that prints one line and
is counted, a free loopback port, and waiting for something to become true. Standard library only."""

import socket
import time


class Results:
    passed = 0
    failed = 0


results = Results()


def check(name, condition, detail=""):
    """Prints "ok" or "FAIL" (with the detail, shortened) and counts it; returns the condition."""
    if condition:
        results.passed += 1
        print(f"  ok   {name}", flush=True)
    else:
        results.failed += 1
        print(f"  FAIL {name}" + (f"\n       {str(detail)[:1500]}" if detail else ""), flush=True)
    return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
