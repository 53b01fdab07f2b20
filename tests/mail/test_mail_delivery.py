"""Mail delivery end to end, as an operator would see it.

Runs the built `mappa` binary against a temporary SQLite database and a real SMTP sink (aiosmtpd's Mailbox
handler writing a Maildir), all on 127.0.0.1:

1. settings through `mappa mail settings`, a test invitation through `mappa mail test`, `mappa serve`'s worker
   delivers it; the message and its invitation are checked with the standard `email` parser and `icalendar`,
   plus the things `icalendar` is lenient about (CRLF, 75-octet folding);
2. the sink goes down: the message waits, the status (CLI and /admin/mail) shows the failed attempt with a safe
   error; the sink comes back and the message is delivered without anyone touching it;
3. with a low attempt limit a message is marked failed, and the Retry button on /admin/mail sends it.

Prints one line per check and a closing "mail: N passed, N failed"; exits 1 on any failure. Synthetic data only.
"""

import argparse
import email
import email.policy
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import icalendar

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checks import check, free_port, port_open, results, wait_for  # noqa: E402

SENDER = "mappa@unit.example.invalid"
FIRST = "pat.probation@probation.example.invalid"
SECOND = "jo.housing@housing.example.invalid"
THIRD = "sam.health@health.example.invalid"
ADMIN_PASSWORD = "lantern quarry violet 58"
NEW_ADMIN_PASSWORD = "copper meadow falcon 71"
COORDINATOR_PASSWORD = "harbour lantern plum 34"
NEW_COORDINATOR_PASSWORD = "violet canyon oar 62"
POLICE = "ds.example@police.example.invalid"
HOUSING = "lead.example@housing.example.invalid"


class Harness:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.database = os.path.join(work, "mail.sqlite")
        self.maildir = os.path.join(work, "maildir")
        self.smtp_port = free_port()
        self.http_port = free_port()
        self.sink = None
        self.server = None
        self.environment = dict(os.environ)
        self.environment.update({
            # Quick rounds and short waits so the retry path runs in seconds, not minutes.
            "MAPPA_OUTBOX_POLL_SECONDS": "0.3",
            "MAPPA_OUTBOX_BACKOFF_SECONDS": "1",
            "MAPPA_OUTBOX_MAX_BACKOFF_SECONDS": "2",
        })
        self.environment.pop("MAPPA_DATABASE_URL", None)

    def mappa(self, *arguments, stdin=None):
        result = subprocess.run([self.binary, *arguments, "--database", self.database], input=stdin,
                                capture_output=True, text=True, timeout=60, env=self.environment)
        return result.returncode, result.stdout + result.stderr

    def start_sink(self):
        self.sink = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.smtp_port}",
             "-c", "aiosmtpd.handlers.Mailbox", self.maildir],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "sink.log"), "a"))
        return wait_for(lambda: port_open(self.smtp_port), 15)

    def stop_sink(self):
        if self.sink and self.sink.poll() is None:
            self.sink.terminate()
            try:
                self.sink.wait(10)
            except subprocess.TimeoutExpired:
                self.sink.kill()
        self.sink = None
        return wait_for(lambda: not port_open(self.smtp_port), 10)

    def start_server(self):
        log = open(os.path.join(self.work, "serve.log"), "a")
        self.server = subprocess.Popen([self.binary, "serve", "--port", str(self.http_port), "--database", self.database],
                                       stdout=log, stderr=log, env=self.environment)

        def healthy():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=1) as response:
                    return response.status == 200
            except OSError:
                return False
        return wait_for(healthy, 20)

    def stop_server(self):
        """SIGTERM, as systemd would send; returns True when it exits in time (the worker stops too)."""
        if not self.server or self.server.poll() is not None:
            return False
        self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(15)
            return True
        except subprocess.TimeoutExpired:
            self.server.kill()
            return False
        finally:
            self.server = None

    def messages(self):
        folder = os.path.join(self.maildir, "new")
        if not os.path.isdir(folder):
            return []
        found = []
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), "rb") as handle:
                found.append(email.message_from_bytes(handle.read(), policy=email.policy.default))
        return found

    def messages_to(self, address):
        return [m for m in self.messages() if address in str(m.get("To", ""))]

    def status(self):
        code, output = self.mappa("mail", "status")
        return output if code == 0 else ""

    def cleanup(self):
        self.stop_sink()
        if self.server and self.server.poll() is None:
            self.server.kill()
            self.server.wait(5)


class Browser:
    """Signs in through the real forms and keeps the session cookie; follows redirects."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.status, response.read().decode()

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    @staticmethod
    def csrf(page):
        match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
        return match.group(1) if match else ""

    def sign_in(self, username, password, new_password):
        _, page = self.get("/login")
        self.post("/login", {"csrf_token": self.csrf(page), "username": username, "password": password})
        _, page = self.get("/account/password")
        self.post("/account/password", {"csrf_token": self.csrf(page), "current_password": password,
                                        "new_password": new_password, "confirm_password": new_password})


def check_invitation(message, attendee):
    """The delivered invitation, read the way a mail program and a calendar program would."""
    check("the message is from the configured sender", SENDER in str(message["From"]), str(message["From"]))
    check("the message is addressed to the attendee", attendee in str(message["To"]), str(message["To"]))
    check("the subject arrived intact", str(message["Subject"]) == "MAPPA Coordinator test message", str(message["Subject"]))
    check("Message-ID and Date are present", bool(message["Message-ID"]) and bool(message["Date"]))
    calendars = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    attachments = [part for part in message.walk() if part.get_filename() == "invite.ics"]
    if not check("there is one text/calendar part", len(calendars) == 1, str([p.get_content_type() for p in message.walk()])):
        return
    part = calendars[0]
    check("the calendar part says method=REQUEST", part.get_param("method") == "REQUEST", str(part["Content-Type"]))
    raw = part.get_payload(decode=True)
    check("invite.ics carries the same invitation", len(attachments) == 1 and attachments[0].get_payload(decode=True) == raw)
    lines = raw.split(b"\r\n")
    check("every calendar line ends in CRLF", raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""))
    check("no calendar line is longer than 75 octets", all(len(line) <= 75 for line in lines),
          str(max(len(line) for line in lines)))
    calendar = icalendar.Calendar.from_ical(raw)
    check("icalendar parses it with METHOD:REQUEST", str(calendar.get("method")) == "REQUEST")
    events = list(calendar.walk("VEVENT"))
    if not check("it holds one VEVENT", len(events) == 1):
        return
    event = events[0]
    organizer = event.get("organizer")
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    check("ORGANIZER is the service's mailbox", str(organizer).lower() == f"mailto:{SENDER}", str(organizer))
    check("ATTENDEE is the recipient, asked to reply",
          any(str(a).lower() == f"mailto:{attendee}" and a.params.get("RSVP") == "TRUE" for a in attendees if a is not None),
          str(attendees))
    check("UID and SEQUENCE are set", bool(str(event.get("uid", ""))) and int(event.get("sequence", -1)) == 0)
    start = event.decoded("dtstart")
    check("DTSTART is in UTC", start.utcoffset() is not None and start.utcoffset().total_seconds() == 0, str(start))


def meeting_event(message):
    """The one VEVENT of a delivered meeting message, as a calendar program reads it, with the METHOD."""
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    if not parts:
        return None, None
    calendar = icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))
    events = list(calendar.walk("VEVENT"))
    return (str(calendar.get("method")), events[0]) if len(events) == 1 else (None, None)


def meeting_invitations(harness):
    """The coordinator schedules a meeting, confirms two invitees and sends the invitations while the mail
    server is down; they arrive when it returns; a reschedule sends updates and a cancellation notices, each
    with the same UID and a higher SEQUENCE."""
    code, output = harness.mappa("user", "add", "--username", "mail.coordinator", "--name", "Mail Coordinator",
                                 "--role", "coordinator", "--agency", "mappa_unit", stdin=COORDINATOR_PASSWORD + "\n")
    check("a coordinator account is added", code == 0, output)
    coordinator = Browser(harness.http_port)
    coordinator.sign_in("mail.coordinator", COORDINATOR_PASSWORD, NEW_COORDINATOR_PASSWORD)
    _, page = coordinator.get("/meetings/new")
    week_ahead = time.localtime(time.time() + 7 * 86400)
    # The form's GOV.UK date input: day, month and year fields.
    date = {"date-day": str(week_ahead.tm_mday), "date-month": str(week_ahead.tm_mon), "date-year": str(week_ahead.tm_year)}
    status, page = coordinator.post("/meetings/new", {
        "csrf_token": Browser.csrf(page), "kind": "level_2", "title": "Level 2 panel (mail test)", **date,
        "start_time": "10:00", "duration": "120", "venue": "Room 9, Testville", "chair_grade": "manager"})
    found = re.search(r'action="/meetings/(\d+)/', page)
    if not check("the coordinator schedules a Level 2 meeting", status == 200 and found, page[:300]):
        return
    meeting = found.group(1)
    for agency, name, address in [("police", "DS Example", POLICE), ("housing", "Housing Lead", HOUSING)]:
        _, page = coordinator.get(f"/meetings/{meeting}/invitees")
        coordinator.post(f"/meetings/{meeting}/invitees", {"csrf_token": Browser.csrf(page), "action": "add",
                                                           "agency": agency, "name": name, "email": address})
    _, page = coordinator.get(f"/meetings/{meeting}")
    check("the meeting shows 2 invitees due an invitation", "2 invitees are due an invitation" in page)
    check("the sink stops (mail server down)", harness.stop_sink())
    status, page = coordinator.post(f"/meetings/{meeting}/send", {"csrf_token": Browser.csrf(page)})
    check("sending while the server is down is accepted and queued", status == 200 and "Invitations queued" in page, page[:300])
    waiting = wait_for(lambda: re.search(r"queued\tattempts [1-9]", harness.status()), 30)
    check("the invitations wait after a failed attempt", waiting, harness.status())
    _, page = coordinator.get(f"/meetings/{meeting}")
    check("the meeting page shows them waiting to send", "Waiting to send" in page)
    check("the sink comes back", harness.start_sink())
    police = wait_for(lambda: harness.messages_to(POLICE), 30)
    housing = wait_for(lambda: harness.messages_to(HOUSING), 30)
    check("both invitees receive their invitation once the server is back", len(police) == 1 and len(housing) == 1, harness.status())
    if not police:
        return
    method, event = meeting_event(police[0])
    check("icalendar reads METHOD:REQUEST with one event", method == "REQUEST" and event is not None)
    if event is None:
        return
    uid = str(event.get("uid"))
    attendees = event.get("attendee")
    attendees = [str(a).lower() for a in (attendees if isinstance(attendees, list) else [attendees])]
    check("ORGANIZER is the unit's mailbox", str(event.get("organizer")).lower() == f"mailto:{SENDER}", str(event.get("organizer")))
    check("both invitees are ATTENDEEs", f"mailto:{POLICE}" in attendees and f"mailto:{HOUSING}" in attendees, str(attendees))
    check("the first invitation has SEQUENCE 0", int(event.get("sequence", -1)) == 0)
    check("the subject says Invitation", str(police[0]["Subject"]).startswith("Invitation: Level 2 panel (mail test)"))
    agendas = [part for part in police[0].walk() if part.get_content_type() == "application/pdf"]
    check("the invitation carries the agenda as a PDF",
          len(agendas) == 1 and str(agendas[0].get_filename()).startswith("mappa-agenda-")
          and agendas[0].get_payload(decode=True).startswith(b"%PDF"), str([p.get_content_type() for p in police[0].walk()]))

    _, page = coordinator.get(f"/meetings/{meeting}/edit")
    version = re.search(r'name="version" value="(\d+)"', page)
    status, page = coordinator.post(f"/meetings/{meeting}/edit", {
        "csrf_token": Browser.csrf(page), "title": "Level 2 panel (mail test)", **date, "start_time": "14:00",
        "duration": "90", "venue": "Room 9, Testville", "chair_grade": "manager", "version": version.group(1) if version else "0"})
    check("the coordinator moves the meeting to 14:00", status == 200 and "2 invitees are due" in page, page[:300])
    coordinator.post(f"/meetings/{meeting}/send", {"csrf_token": Browser.csrf(page)})
    updated = wait_for(lambda: harness.messages_to(POLICE) if len(harness.messages_to(POLICE)) == 2 else None, 30)
    update = [m for m in (updated or []) if str(m["Subject"]).startswith("Updated:")]
    if check("the update arrives, its subject saying Updated", len(update) == 1, str([str(m["Subject"]) for m in updated or []])):
        method, event = meeting_event(update[0])
        check("the update is METHOD:REQUEST with the same UID and SEQUENCE 1",
              method == "REQUEST" and event is not None and str(event.get("uid")) == uid and int(event.get("sequence", -1)) == 1)
    _, page = coordinator.get(f"/meetings/{meeting}/cancel")
    status, refused = coordinator.post(f"/meetings/{meeting}/cancel", {"csrf_token": Browser.csrf(page)})
    check("cancelling without a reason is refused, nothing changes", status == 422 and "Say why the meeting is cancelled" in refused)
    status, page = coordinator.post(f"/meetings/{meeting}/cancel", {"csrf_token": Browser.csrf(page),
                                                                   "reason": "The chair is unavailable (mail test)."})
    check("the coordinator confirms the cancellation with a reason", status == 200 and "Meeting cancelled" in page, page[:300])
    coordinator.post(f"/meetings/{meeting}/send", {"csrf_token": Browser.csrf(page)})
    cancelled = wait_for(lambda: harness.messages_to(HOUSING) if len(harness.messages_to(HOUSING)) == 3 else None, 30)
    cancellation = [m for m in (cancelled or []) if str(m["Subject"]).startswith("Cancelled:")]
    if check("the cancellation arrives, its subject saying Cancelled", len(cancellation) == 1):
        body = next((part.get_payload(decode=True).decode() for part in cancellation[0].walk() if part.get_content_type() == "text/plain"), "")
        check("the cancellation notice gives the reason", "Reason: The chair is unavailable (mail test)." in body, body[:300])
        check("the cancellation carries no agenda", not any(part.get_content_type() == "application/pdf" for part in cancellation[0].walk()))
        method, event = meeting_event(cancellation[0])
        check("it is METHOD:CANCEL with the same UID, SEQUENCE 2 and STATUS:CANCELLED",
              method == "CANCEL" and event is not None and str(event.get("uid")) == uid and int(event.get("sequence", -1)) == 2
              and str(event.get("status")) == "CANCELLED")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    arguments = parser.parse_args()
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="mappa-mail.")
    harness = Harness(arguments.bin, work)
    try:
        print("-- configure and deliver an invitation")
        code, output = harness.mappa("migrate")
        check("the database is migrated with the outbox", code == 0 and "mail outbox" in output, output)
        code, output = harness.mappa("mail", "settings", "--host", "127.0.0.1", "--port", str(harness.smtp_port),
                                     "--security", "none", "--from-address", SENDER, "--from-name", "MAPPA Unit")
        check("mappa mail settings saves the SMTP server", code == 0 and "mail settings saved" in output, output)
        code, output = harness.mappa("user", "add", "--username", "mail.admin", "--name", "Mail Admin",
                                     "--role", "administrator", "--agency", "mappa_unit", stdin=ADMIN_PASSWORD + "\n")
        check("an administrator account is added", code == 0, output)
        check("the SMTP sink listens", harness.start_sink())
        check("mappa serve starts with its mail worker", harness.start_server(),
              open(os.path.join(work, "serve.log")).read()[-2000:])
        code, output = harness.mappa("mail", "test", "--to", FIRST)
        check("mappa mail test queues a test invitation", code == 0 and "queued test message" in output, output)
        delivered = wait_for(lambda: harness.messages_to(FIRST), 30)
        if check("the worker delivers it to the sink", len(delivered) == 1, harness.status()):
            check_invitation(delivered[0], FIRST)
        check("the status says sent", "sent: 1" in harness.status(), harness.status())

        print("-- the mail server is down, then back")
        check("the sink stops", harness.stop_sink())
        code, output = harness.mappa("mail", "test", "--to", SECOND)
        check("a message is queued while the server is down", code == 0, output)
        waiting = wait_for(lambda: re.search(r"^\d+\tqueued\tattempts [1-9].*smtp_connect: Could not connect to the mail server",
                                              harness.status(), re.M), 30)
        check("the status shows it waiting after a failed attempt, with a safe error", waiting, harness.status())
        browser = Browser(harness.http_port)
        browser.sign_in("mail.admin", ADMIN_PASSWORD, NEW_ADMIN_PASSWORD)
        status, page = browser.get("/admin/mail")
        check("the administrator's mail page opens", status == 200 and "<h1>Mail</h1>" in page, page[:300])
        check("the page shows the message waiting and why", ("Waiting" in page or "Sending" in page) and "Could not connect to the mail server" in page)
        check("the page lists counts, not addresses or content", SECOND not in page and "test message from" not in page)
        check("nothing reached anyone while the server was down", not harness.messages_to(SECOND))
        check("the sink comes back", harness.start_sink())
        delivered = wait_for(lambda: harness.messages_to(SECOND), 30)
        check("the waiting message is delivered without anyone retrying it", len(delivered) == 1, harness.status())
        if delivered:
            check("it is the same message, delivered once", str(delivered[0]["Subject"]) == "MAPPA Coordinator test message")

        print("-- failed after the attempt limit, retried from the page")
        code, output = harness.mappa("mail", "settings", "--max-attempts", "2")
        check("the attempt limit is lowered to 2", code == 0 and "max attempts:  2" in output, output)
        check("the sink stops again", harness.stop_sink())
        harness.mappa("mail", "test", "--to", THIRD, "--no-invitation")
        failed_line = wait_for(lambda: re.search(r"^(\d+)\tfailed\tattempts 2\t", harness.status(), re.M), 30)
        check("after 2 attempts the message is marked failed", failed_line, harness.status())
        status, page = browser.get("/admin/mail")
        message_id = failed_line.group(1) if failed_line else "0"
        check("the page offers Retry for it", f'action="/admin/mail/{message_id}/retry"' in page)
        check("the sink starts", harness.start_sink())
        status, page = browser.post(f"/admin/mail/{message_id}/retry", {"csrf_token": Browser.csrf(page)})
        check("Retry queues it again", status == 200 and "Message queued again" in page, f"{status} {page[:300]}")
        delivered = wait_for(lambda: harness.messages_to(THIRD), 30)
        check("the retried message is delivered", len(delivered) == 1, harness.status())
        check("a message without an invitation has no calendar part",
              delivered and not any(p.get_content_type() == "text/calendar" for p in delivered[0].walk()))
        final = harness.status()
        check("in the end: 3 sent, none waiting or failed", final.startswith("queued: 0  sending: 0  sent: 3  failed: 0"), final)

        # Back to the usual limit: with 2, a busy machine could spend both attempts before the sink is restarted.
        code, output = harness.mappa("mail", "settings", "--max-attempts", "10")
        check("the attempt limit is back to 10", code == 0 and "max attempts:  10" in output, output)

        print("-- meeting invitations, updates and cancellations")
        meeting_invitations(harness)
        check("mappa serve stops on SIGTERM, worker included", harness.stop_server())
        code, output = harness.mappa("audit", "verify")
        check("the audit trail, with its delivery entries, is intact", code == 0 and "intact" in output, output)
    finally:
        harness.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    print(f"mail tests took {time.monotonic() - started:.1f} s")
    print(f"mail: {results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
