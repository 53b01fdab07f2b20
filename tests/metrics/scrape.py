# End to end: a real `mappa serve` scraped over loopback as Prometheus would, its answer parsed with prometheus_client's
# own parser. Checks who may read it (--metrics-from address, MAPPA_METRICS_TOKEN bearer, 404 for anyone else), that
# labels are route patterns (no ids, no names), that histograms are well formed and that counts move.
# Bounded: about 30 s. Usage: python tests/metrics/scrape.py PATH/TO/mappa PORT   (loopback only; a throwaway SQLite file)
import http.client, os, re, shutil, subprocess, sys, tempfile, time, urllib.parse
from prometheus_client.parser import text_string_to_metric_families

binary, port = sys.argv[1], int(sys.argv[2])
token = "scrape-test-token-" + os.urandom(8).hex()
work = tempfile.mkdtemp(prefix="mappa-metrics-")
db = os.path.join(work, "mappa.sqlite")
passed = failed = 0

def check(name, ok, detail=""):
    global passed, failed
    if ok: passed += 1; print("  ok  ", name)
    else: failed += 1; print("  FAIL", name, detail)

def request(method, path, source="127.0.0.1", headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read().decode("utf-8", "replace")
    headers = dict(response.getheaders())
    headers["cookies"] = [c.split(";")[0] for c in response.msg.get_all("Set-Cookie") or []]
    result = (response.status, headers, data)
    connection.close()
    return result

def sign_in(username, password):
    status, headers, page = request("GET", "/login")
    cookie = "; ".join(headers["cookies"])
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": csrf, "username": username, "password": password})
    status, headers, _ = request("POST", "/login", headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, body=body)
    return status, "; ".join(c for c in headers["cookies"] if c.startswith("mappa_session=") and c != "mappa_session=")

def scrape(source="127.0.0.1", bearer=None):
    status, headers, text = request("GET", "/metrics", source=source, headers={"Authorization": f"Bearer {bearer}"} if bearer else {})
    return status, headers, text

def samples(text):
    out = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples: out.append((family, sample))
    return out

def value(text, name, **labels):
    for _, sample in samples(text):
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()): return sample.value
    return None

subprocess.run([binary, "migrate", "--database", db], check=True, capture_output=True, timeout=60)
subprocess.run([binary, "user", "add", "--database", db, "--username", "metrics.coordinator", "--name", "Metrics Coordinator",
                "--role", "coordinator", "--agency", "police"], input=b"quiet-harbour-lantern-58\n", check=True, capture_output=True, timeout=60)
with open(os.path.join(work, "cases.csv"), "w") as csv:
    csv.write("nominal_ref,family_name,given_names,aliases,date_of_birth,gender,ethnicity,pnc_id,visor_ref,crn,category,level,lead_agency,"
              "mappa_start_date,statutory_end_date,next_review_date,rosh,custody_status,release_date,status,exit_date,exit_reason\n"
              "MET-9,Scrapeworth,Jamie,,1980-04-05,,,,,,2,2,probation,2026-01-05,,2027-01-05,,community,,active,,\n")
subprocess.run([binary, "import", "cases", os.path.join(work, "cases.csv"), "--database", db], check=True, capture_output=True, timeout=60)
server = subprocess.Popen([binary, "serve", "--port", str(port), "--database", db, "--no-mail", "--metrics-from", "127.0.0.1"],
                          env={**os.environ, "MAPPA_METRICS_TOKEN": token}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            if request("GET", "/healthz")[0] == 200: break
        except OSError: time.sleep(0.1)

    # Who may read it.
    status, headers, first = scrape()
    check("the --metrics-from address reads /metrics in text format 0.0.4",
          status == 200 and headers.get("Content-Type") == "text/plain; version=0.0.4; charset=utf-8", f"{status} {headers}")
    unknown = request("GET", "/no-such-page", source="127.0.0.2")
    for label, source, bearer in [("another address", "127.0.0.2", None), ("a wrong token", "127.0.0.2", token[:-1] + "x"),
                                  ("a token one character short", "127.0.0.2", token[:-1])]:
        status, _, text = scrape(source, bearer)
        check(f"{label} finds no such page (404, as an unknown page)", status == 404 and text == unknown[2] and "mappa_" not in text, status)
    status, _, by_token = scrape("127.0.0.2", token)
    check("the MAPPA_METRICS_TOKEN bearer reads it from another address", status == 200 and "mappa_http_requests_total" in by_token, status)

    # Use the app: a wrong password, a sign-in, a case page and an unknown page with a name in its path.
    sign_in("metrics.coordinator", "not the password")
    status, cookie = sign_in("metrics.coordinator", "quiet-harbour-lantern-58")
    # A user added on the command line changes the temporary password first.
    _, _, form = request("GET", "/account/password", headers={"Cookie": cookie})
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form).group(1)
    new_password = "violet tundra lantern 7391 quay"
    _, headers, _ = request("POST", "/account/password", headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
                            body=urllib.parse.urlencode({"csrf_token": csrf, "current_password": "quiet-harbour-lantern-58",
                                                         "new_password": new_password, "confirm_password": new_password}))
    cookie = next((c for c in headers["cookies"] if c.startswith("mappa_session=") and c != "mappa_session="), cookie)
    case_status, _, page = request("GET", "/cases/1", headers={"Cookie": cookie})
    request("GET", "/people/Scrapeworth/1")
    before = scrape()[2]
    for _ in range(5): request("GET", "/healthz")
    status, _, after = scrape()

    families = {family.name: family.type for family in text_string_to_metric_families(after)}
    wanted = {"mappa_http_requests": "counter", "mappa_http_request_duration_seconds": "histogram",
              "mappa_database_pool_waits": "counter", "mappa_database_pool_wait_seconds": "counter",
              "mappa_outbox_waiting_messages": "gauge", "mappa_outbox_oldest_waiting_age_seconds": "gauge",
              "mappa_audit_staging_waiting_entries": "gauge", "mappa_signin_failures": "counter", "mappa_signin_throttled": "counter",
              "mappa_sessions_active": "gauge", "process_resident_memory_bytes": "gauge", "process_open_fds": "gauge",
              "mappa_uptime_seconds": "gauge", "mappa_build_info": "gauge"}
    missing = {name: kind for name, kind in wanted.items() if families.get(name) != kind}
    check("prometheus_client parses every family with its type", not missing, missing)

    routes = {sample.labels["route"] for _, sample in samples(after) if "route" in sample.labels}
    check("route labels are patterns: /cases/:id, never /cases/1 or a name",
          "/cases/:id" in routes and "unmatched" in routes and all(r == "unmatched" or not re.search(r"/\d", r) for r in routes)
          and "Scrapeworth" not in after and "/people" not in after and case_status == 200, sorted(routes))
    check("the case page is counted under its pattern and 2xx",
          value(after, "mappa_http_requests_total", route="/cases/:id", status="2xx") == 1)
    check("five /healthz requests move its counter and its histogram by five",
          (value(after, "mappa_http_requests_total", route="/healthz", status="2xx") or 0)
          - (value(before, "mappa_http_requests_total", route="/healthz", status="2xx") or 0) == 5
          and (value(after, "mappa_http_request_duration_seconds_count", route="/healthz") or 0)
          - (value(before, "mappa_http_request_duration_seconds_count", route="/healthz") or 0) == 5)
    buckets = [(float(s.labels["le"]), s.value) for _, s in samples(after)
               if s.name == "mappa_http_request_duration_seconds_bucket" and s.labels.get("route") == "/healthz"]
    check("histogram buckets rise with their bounds and end at +Inf with the count",
          buckets == sorted(buckets) and [v for _, v in buckets] == sorted(v for _, v in buckets)
          and buckets[-1] == (float("inf"), value(after, "mappa_http_request_duration_seconds_count", route="/healthz")), buckets)
    check("the wrong password is counted as a sign-in failure", value(after, "mappa_signin_failures_total") == 1)
    check("the signed-in coordinator is an active session", (value(after, "mappa_sessions_active") or 0) >= 1)
    check("the reader pool's use is counted", (value(after, "mappa_database_pool_acquisitions_total", pool="sqlite_readers") or 0) > 0)
    check("the audit staging lag is reported", value(after, "mappa_audit_staging_waiting_entries") is not None)
    check("the outbox depth and age are reported", value(after, "mappa_outbox_waiting_messages") == 0
          and value(after, "mappa_outbox_oldest_waiting_age_seconds") == 0)
    check("process figures: resident memory and open files from /proc",
          (value(after, "process_resident_memory_bytes") or 0) > 1_000_000 and (value(after, "process_open_fds") or 0) > 3)
    check("the build is named", any(s.name == "mappa_build_info" and s.labels.get("version") for _, s in samples(after)))
finally:
    server.terminate()
    try: server.wait(timeout=10)
    except subprocess.TimeoutExpired: server.kill()
    shutil.rmtree(work, ignore_errors=True)
print(f"metrics: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
