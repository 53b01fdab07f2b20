# Slow connections and parallel wrong passwords against a throwaway server, loopback only, bounded (about 35 s).
#  1. For 15 s: 1,000 sockets from 127.0.0.2 that trickle a header line every 5 s, 300 more from 30 addresses
#     (127.0.0.10-39) doing the same, and 300 silent ones from 30 other addresses (127.0.0.50-79). Meanwhile a
#     normal user at 127.0.0.1 signs in once a second: every sign-in must succeed, the server answering within
#     1 s of the connection being made and the whole sign-in taking under 3 s. (A burst of 1,600 connects can
#     overflow the kernel's listen queue when net.core.somaxconn is small; a dropped SYN is resent after 1 s,
#     which the server never sees, so connect time is reported apart, with the kernel's overflow counter.)
#  2. 100 parallel wrong passwords for one account: at most 5 may be checked (answered 401; the rest 429).
# Prints sign-in latencies, password checks run, the server's peak RSS and threads; exits 1 if a check fails.
# Usage: python3 tests/hostile/connections_passwords.py PATH/TO/mappa PORT
import http.client, os, re, resource, socket, subprocess, sys, threading, time

binary, port = sys.argv[1], int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
db = f"/tmp/mappa-hostile-connections-{port}.sqlite"
for suffix in ("", "-wal", "-shm", "-audit-staging"):
    try: os.remove(db + suffix)
    except FileNotFoundError: pass
PASSWORD = "quiet-harbour-lantern-58"
subprocess.run([binary, "migrate", "--database", db], check=True, stdout=subprocess.DEVNULL)
for username in ("jo.normal", "sam.target"):
    subprocess.run([binary, "user", "add", "--database", db, "--username", username, "--name", "Test User",
                    "--role", "coordinator", "--agency", "police"], input=PASSWORD + "\n", text=True, check=True,
                   stdout=subprocess.DEVNULL)
server = subprocess.Popen([binary, "serve", "--port", str(port), "--database", db, "--no-mail"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
failures = []

def proc(key):
    try:
        for line in open(f"/proc/{server.pid}/status"):
            if line.startswith(key): return line.split(":")[1].strip()
    except OSError: return "?"

def listen_overflows():
    """The kernel's count of connections dropped because a listen queue was full (all sockets on this host)."""
    try:
        lines = [line.split() for line in open("/proc/net/netstat") if line.startswith("TcpExt:")]
        return int(lines[1][lines[0].index("ListenOverflows")])
    except (OSError, ValueError, IndexError): return None

def sign_in(username, password, source="127.0.0.1", timings=None):
    """GET /login then POST it, as a browser would; returns (status, seconds). Appends the connect time to timings."""
    started = time.time()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
        conn.connect()
        if timings is not None: timings.append(time.time() - started)
        conn.request("GET", "/login")
        page = conn.getresponse()
        body = page.read().decode()
        cookie = page.getheader("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', body).group(1)
        form = f"csrf_token={token}&username={username}&password={password}"
        conn.request("POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                          "Cookie": cookie})
        answer = conn.getresponse()
        answer.read()
        conn.close()
        return answer.status, time.time() - started
    except Exception as error:
        return f"failed: {type(error).__name__}", time.time() - started

try:
    for _ in range(100):
        try: socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
        except OSError: time.sleep(0.1)
    status, seconds = sign_in("jo.normal", PASSWORD)
    print(f"sign-in before the attack: {status} in {seconds * 1000:.0f} ms; VmRSS {proc('VmRSS')}, threads {proc('Threads')}")

    attackers = []  # (socket, trickles)
    def open_from(source, count, trickle):
        for _ in range(count):
            s = socket.socket()
            try:
                s.bind((source, 0))
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                attackers.append((s, trickle))
            except OSError:
                s.close()
    opened_at = time.time()
    open_from("127.0.0.2", 1000, True)
    for host in range(10, 40): open_from(f"127.0.0.{host}", 10, True)
    for host in range(50, 80): open_from(f"127.0.0.{host}", 10, False)
    print(f"opened {len(attackers)} attacking sockets in {time.time() - opened_at:.1f} s")
    stop = threading.Event()
    def trickle():
        line = 0
        while not stop.is_set():
            for s, trickles in attackers:
                try: s.send(b"GET /login HTTP/1.1\r\n" if line == 0 else f"X-Slow-{line}: y\r\n".encode()) if trickles else None
                except OSError: pass
            line += 1
            stop.wait(5)
    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    latencies, results, connects = [], [], []
    overflows_before = listen_overflows()
    attack_end = time.time() + 15
    peak_threads = 0
    while time.time() < attack_end:
        status, seconds = sign_in("jo.normal", PASSWORD, timings=connects)
        if len(connects) < len(results) + 1: connects.append(seconds)
        results.append(status)
        latencies.append(seconds)
        try: peak_threads = max(peak_threads, int(proc("Threads")))
        except ValueError: pass
        time.sleep(max(0, 1 - seconds))
    stop.set()
    still_open = 0
    for s, _ in attackers:
        try:
            s.setblocking(False)
            if s.recv(1) != b"": still_open += 0
        except BlockingIOError: still_open += 1
        except OSError: pass
        s.close()
    good = [l for r, l in zip(results, latencies) if r == 303]
    served = [total - connect for total, connect in zip(latencies, connects)]
    overflows_after = listen_overflows()
    try: somaxconn = open("/proc/sys/net/core/somaxconn").read().strip()
    except OSError: somaxconn = "?"
    print(f"under attack: {len(good)} of {len(results)} sign-ins succeeded; latency max {max(latencies) * 1000:.0f} ms, "
          f"median {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms; after connecting max {max(served) * 1000:.0f} ms; "
          f"connect max {max(connects) * 1000:.0f} ms; answers {sorted(set(map(str, results)))}")
    slow = [(round(c * 1000), round(t * 1000)) for c, t in zip(connects, latencies) if t >= 0.5]
    if slow: print(f"sign-ins over 500 ms (connect ms, total ms): {slow}")
    if overflows_before is not None and overflows_after is not None:
        print(f"kernel listen-queue overflows during the attack: {overflows_after - overflows_before} (net.core.somaxconn {somaxconn})")
    print(f"attacking sockets the server still held open after 15 s: {still_open} of {len(attackers)}; "
          f"server threads at most {peak_threads}; VmHWM {proc('VmHWM')}")
    if len(good) != len(results): failures.append(f"{len(results) - len(good)} of {len(results)} sign-ins failed under slow connections")
    if max(served) >= 1: failures.append(f"the server took {max(served):.2f} s to answer a sign-in under slow connections")
    if max(latencies) >= 3: failures.append(f"a sign-in took {max(latencies):.2f} s under slow connections")

    answers = []
    def wrong(i):
        answers.append(sign_in("sam.target", f"wrong-guess-{i}", source=f"127.0.1.{i % 200 + 1}")[0])
    threads = [threading.Thread(target=wrong, args=(i,)) for i in range(100)]
    started = time.time()
    for t in threads: t.start()
    for t in threads: t.join(timeout=20)
    checked = answers.count(401)
    print(f"100 parallel wrong passwords in {time.time() - started:.1f} s: {checked} password checks run (401), "
          f"{answers.count(429)} refused as throttled (429), others {[a for a in answers if a not in (401, 429)]}")
    if checked > 5: failures.append(f"{checked} password checks ran for 100 parallel wrong passwords (limit 5)")
    if checked + answers.count(429) != 100: failures.append("some wrong-password requests got neither 401 nor 429")
    status, seconds = sign_in("jo.normal", PASSWORD)
    print(f"another account signs in after that: {status} in {seconds * 1000:.0f} ms")
    if status != 303: failures.append("another account could not sign in after the password attack")
finally:
    server.terminate()
    try: server.wait(timeout=10)
    except subprocess.TimeoutExpired: server.kill()
print("hostile connections and passwords:", "; ".join(failures) if failures else "all checks passed")
sys.exit(1 if failures else 0)
