# Eight anonymous 60 MB POSTs to /cases/import, each held one byte short; prints the server's peak RSS (VmHWM).
# Bounded: 30 s. Usage: python3 tests/hostile/bodies_rss.py PATH/TO/mappa PORT   (loopback only; a throwaway SQLite file)
import os, socket, subprocess, sys, time, threading
binary, port = sys.argv[1], int(sys.argv[2])
db = f"/tmp/mappa-bodies-rss-{port}.sqlite"
for suffix in ("", "-wal", "-shm"):
    try: os.remove(db + suffix)
    except FileNotFoundError: pass
server = subprocess.Popen([binary, "serve", "--port", str(port), "--database", db, "--no-mail"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def status(key):
    for line in open(f"/proc/{server.pid}/status"):
        if line.startswith(key): return line.split(":")[1].strip()
deadline = time.time() + 30
exit_code = 1
try:
    for _ in range(100):
        try: socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
        except OSError: time.sleep(0.1)
    print("start VmRSS", status("VmRSS"))
    length = 60 * 1024 * 1024
    answers = []
    def attack(i):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(f"POST /cases/import HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: {length}\r\n\r\n".encode())
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < length - 1 and time.time() < deadline - 8:
                n = min(len(chunk), length - 1 - sent)
                s.sendall(chunk[:n]); sent += n
        except OSError as e:
            pass
        try:
            s.settimeout(0.5)
            answers.append((sent, s.recv(200)[:40]))
        except OSError as e:
            answers.append((sent, repr(e)[:40]))
        time.sleep(max(0, min(3, deadline - time.time() - 4)))
        s.close()
    threads = [threading.Thread(target=attack, args=(i,)) for i in range(8)]
    for t in threads: t.start()
    for t in threads: t.join(timeout=max(1, deadline - time.time()))
    for a in answers: print("sent", a[0], "answer", a[1])
    peak = status("VmHWM")
    print("VmHWM", peak, "VmRSS", status("VmRSS"))
    refused = [a for a in answers if isinstance(a[1], bytes) and a[1].startswith(b"HTTP/1.1 413")]
    peak_mb = int(peak.split()[0]) / 1024
    failures = []
    if len(refused) != 8: failures.append(f"{8 - len(refused)} of the 8 oversized bodies were not answered 413 at once")
    if peak_mb >= 250: failures.append(f"peak RSS {peak_mb:.0f} MB is over 250 MB")
    print("hostile bodies:", "; ".join(failures) if failures else f"8 refused with 413, peak RSS {peak_mb:.0f} MB")
    exit_code = 1 if failures else 0
finally:
    server.terminate()
    try: server.wait(timeout=5)
    except subprocess.TimeoutExpired: server.kill()
sys.exit(exit_code)
