#!/usr/bin/env python3
"""Drive the inbox in a pseudo-terminal and measure it, for scripts/bench and scripts/soak.

  ptyrun.py paint  --cols 200 --rows 50 --keys 30 --idle 10 -- CMD...   first paint, key latency, bytes/cell, idle, RSS
  ptyrun.py compose --size 4000 --keys 30 -- CMD...                     key latency typing into a reply that long
  ptyrun.py live   --base URL --count 30 -- CMD...                      inbound message -> on screen latency, idle cost
  ptyrun.py soak   --base URL --minutes 30 -- CMD...                    RSS growth under inbound load
  ptyrun.py day    --count 1500 --gap 0.12 -- CMD...                      RSS while opening that many conversations in turn
Prints one JSON object.
"""
import argparse, fcntl, json, os, pty, random, select, signal, struct, sys, termios, time, urllib.parse, urllib.request

try:
    import pyte
except ImportError:
    sys.exit("ptyrun.py needs pyte: python3 -m pip install pyte")


class TermScreen(pyte.Screen):
    """pyte's screen plus what ncurses sends xterm-256color and pyte lacks: REP (repeat the
    last character) and SU/SD (scroll the region). Without them the emulated screen keeps
    stale text a real terminal has already replaced."""
    last_char = ""

    def draw(self, data):
        super().draw(data)
        if data:
            self.last_char = data[-1]

    def repeat_last(self, count=1, *args, **kwargs):
        if self.last_char:
            self.draw(self.last_char * max(1, count))

    def _scroll(self, count, up):
        top, bottom = self.margins or pyte.screens.Margins(0, self.lines - 1)
        y = self.cursor.y
        self.cursor.y = bottom if up else top
        for _ in range(max(1, count)):
            self.index() if up else self.reverse_index()
        self.cursor.y = y

    def scroll_up(self, count=1, *args, **kwargs):
        self._scroll(count, True)

    def scroll_down(self, count=1, *args, **kwargs):
        self._scroll(count, False)


class TermStream(pyte.ByteStream):
    csi = dict(pyte.ByteStream.csi, b="repeat_last", S="scroll_up", T="scroll_down")


class Session:
    def __init__(self, cmd, cols, rows):
        self.cols, self.rows = cols, rows
        self.screen = TermScreen(cols, rows)
        self.stream = TermStream(self.screen)
        self.t0 = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
            os.execvpe(cmd[0], cmd, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def read(self, settle, timeout):
        """Reads until `settle` seconds pass without output. Returns (bytes, first, last)."""
        data, first, last = bytearray(), None, None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wait = settle if last else deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(0, wait))
            if not ready:
                if last:
                    break
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            now = time.monotonic()
            first = first or now
            last = now
            data += chunk
        self.stream.feed(bytes(data))
        return bytes(data), first, last

    def cells(self):
        return [[(c.data, c.fg, c.bg, c.bold, c.reverse) for c in (self.screen.buffer[y][x] for x in range(self.cols))]
                for y in range(self.rows)]

    def text(self):
        # Built from the buffer: pyte's own `display` trips over the padding cell of a wide glyph.
        return "\n".join("".join(self.screen.buffer[y][x].data for x in range(self.cols)) for y in range(self.rows))

    def usage(self):
        """CPU seconds and RSS KiB of the process."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        with open(f"/proc/{self.pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        return cpu, rss

    def close(self):
        try:
            os.write(self.fd, b"q")
            time.sleep(0.3)
            os.kill(self.pid, signal.SIGTERM)
        except (OSError, ProcessLookupError):
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def control(base, path, body=None, key="sk_test_sandbox"):
    url = base.replace("/api/v1", "/_sandbox") + path
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


def sockets_to_server():
    """Local ports of this machine's TCP sockets to the inbox's server, in any state (a closed
    one lingers in TIME_WAIT), so a difference counts the connections opened meanwhile."""
    port = urllib.parse.urlsplit(os.environ.get("SKYLIGHT_BASE_URL", "")).port
    ports = set()
    with open("/proc/net/tcp") as table:
        for line in list(table)[1:]:
            fields = line.split()
            if port and int(fields[2].split(":")[1], 16) == port:
                ports.add(fields[1])
    return ports


def clear_of_minute_turns(seconds):
    """Waits, if need be, until the next `seconds` hold no turn of the clock's minute. When the
    minute turns the inbox moves every relative time on, and the next poll its "synced" time: the
    clock's redraw, not a key's. Counted as a key's, it showed as a key of 100 ms or more now
    and then, or as bytes written while idle. Those redraws are done 3 s after the turn."""
    second = time.time() % 60
    if second < 3:
        time.sleep(3 - second)
    elif second + seconds > 60:
        time.sleep(63 - second)


def paint(a, cmd):
    s = Session(cmd, a.cols, a.rows)
    out, first, last = s.read(a.settle_startup, 30)
    if a.keys:
        # A key and its redraw take under 0.2 s here (0.15 of it the quiet that ends a read).
        clear_of_minute_turns(a.keys * 0.25 + a.idle + 1)
    sockets_before = sockets_to_server()
    result = {"first_byte_ms": round((first - s.t0) * 1000, 1) if first else None,
              "first_paint_ms": round((last - s.t0) * 1000, 1) if last else None, "startup_bytes": len(out)}
    latencies, total_bytes, total_changed, text_bytes = [], 0, 0, 0
    for _ in range(a.keys):
        before = s.cells()
        start = time.monotonic()
        os.write(s.fd, b"j")
        out, _, last = s.read(0.15, 5)
        after = s.cells()
        if last:
            latencies.append((last - start) * 1000)
        total_bytes += len(out)
        changed = [(y, x) for y in range(a.rows) for x in range(a.cols) if before[y][x] != after[y][x]]
        total_changed += len(changed)
        # What the new text alone costs: its UTF-8 bytes (blanks can be erased for free).
        text_bytes += sum(len(after[y][x][0].encode()) for y, x in changed if after[y][x][0] not in (" ", ""))
    result["connections_opened"] = len(sockets_to_server() - sockets_before)
    latencies.sort()
    if latencies:
        result.update(key_latency_ms_median=round(latencies[len(latencies) // 2], 2), key_latency_ms_max=round(latencies[-1], 2))
    result["bytes_per_changed_cell"] = round(total_bytes / total_changed, 3) if total_changed else None
    result["text_bytes_per_changed_cell"] = round(text_bytes / total_changed, 3) if total_changed else None
    cpu0, _ = s.usage()
    idle_bytes = 0
    end = time.monotonic() + a.idle
    while time.monotonic() < end:
        ready, _, _ = select.select([s.fd], [], [], max(0, end - time.monotonic()))
        if ready:
            idle_bytes += len(os.read(s.fd, 65536))
    cpu1, rss = s.usage()
    result.update(idle_seconds=a.idle, idle_bytes=idle_bytes, idle_cpu_ms=round((cpu1 - cpu0) * 1000, 1), rss_mib=round(rss / 1024, 1))
    s.close()
    return result


def compose(a, cmd):
    """Typing into a long reply: `r`, a bracketed paste of --size characters in paragraphs of
    mixed scripts (timed to the last byte of its redraw, with the CPU it took), then --keys
    letters, each timed to the last byte of its redraw."""
    s = Session(cmd, a.cols, a.rows)
    s.read(a.settle_startup, 30)
    rng = random.Random(a.seed)
    words = ["refund", "order", "the", "status", "tracking", "配送", "배송지", "شكرا", "été", "👍🏽"]
    text = ""
    while len(text) < a.size:
        paragraph = ""
        while len(paragraph) < a.paragraph:
            paragraph += rng.choice(words) + " "
        text += paragraph[:a.paragraph].rstrip() + "\n\n"
    text = text[:a.size]
    os.write(s.fd, b"r")
    s.read(0.3, 5)
    cpu_before, _ = s.usage()
    start = time.monotonic()
    os.write(s.fd, b"\x1b[200~" + text.encode() + b"\x1b[201~")
    _, _, pasted = s.read(0.5, 60)
    cpu_after, _ = s.usage()
    paste_ms = (pasted - start) * 1000
    latencies = []
    for i in range(a.keys):
        start = time.monotonic()
        os.write(s.fd, a.letter.encode() if i % 5 else b" ")
        _, _, last = s.read(0.15, 5)
        if last:
            latencies.append((last - start) * 1000)
    latencies.sort()
    _, rss = s.usage()
    os.write(s.fd, b"\x1b")  # the reply stays a draft
    s.read(0.3, 5)
    s.close()
    return {"characters": len(text), "paragraph": a.paragraph, "letter": a.letter, "paste_ms": round(paste_ms, 1), "paste_cpu_ms": round((cpu_after - cpu_before) * 1000),
            "keys": len(latencies), "key_latency_ms_median": round(latencies[len(latencies) // 2], 2),
            "key_latency_ms_max": round(latencies[-1], 2), "rss_mib": round(rss / 1024, 1)}


def live(a, cmd):
    s = Session(cmd, a.cols, a.rows)
    s.read(1.0, 30)
    rng = random.Random(a.seed)
    contacts = list(range(1, 200))
    # Open loop: messages arrive at random (Poisson, 1/s on average) whatever the inbox is
    # doing, so arrivals are not in step with its polls. Each must show within 10 s.
    pending, latencies = {}, []
    sent, next_at, end = 0, time.monotonic(), None
    while sent < a.count or (pending and time.monotonic() < end):
        now = time.monotonic()
        if sent < a.count and now >= next_at:
            marker = f"live-{sent:03d}-{rng.randint(1000, 9999)}"
            # An agent at work: a focus-in report keeps the inbox in its active poll interval
            # without changing the screen.
            os.write(s.fd, b"\x1b[I")
            pending[marker] = time.monotonic()
            contact = rng.choice(contacts)
            control(a.base, "/inbound", {"contact_id": contact, "message": marker})
            if os.environ.get("PTYRUN_DEBUG"):
                print(f"sent {marker} to {contact} at {pending[marker]:.3f}", file=sys.stderr)
            sent += 1
            next_at = now + rng.expovariate(1.0)
            end = time.monotonic() + 10
        s.read(0.005, 0.02)
        text = s.text()
        for marker in [m for m in pending if m in text]:
            latencies.append((time.monotonic() - pending.pop(marker)) * 1000)
        for marker in [m for m, t in pending.items() if time.monotonic() - t > 10]:
            del pending[marker]
            if os.environ.get("PTYRUN_DEBUG"):
                print(f"missed {marker}; screen:\n{text}", file=sys.stderr)
    latencies.sort()
    pct = lambda p: round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1) if latencies else None
    result = {"inbound_messages": a.count, "seen": len(latencies), "latency_ms_max": round(latencies[-1], 1) if latencies else None, "latency_ms_p50": pct(0.5), "latency_ms_p95": pct(0.95)}
    # Idle: the terminal reports lost focus, then nothing happens for a minute.
    os.write(s.fd, b"\x1b[O")
    s.read(0.5, 3)
    requests0 = control(a.base, "/stats")["data"]["requests"]
    cpu0, _ = s.usage()
    end = time.monotonic() + a.idle
    idle_bytes = 0
    while time.monotonic() < end:
        ready, _, _ = select.select([s.fd], [], [], max(0, end - time.monotonic()))
        if ready:
            idle_bytes += len(os.read(s.fd, 65536))
    cpu1, rss = s.usage()
    requests1 = control(a.base, "/stats")["data"]["requests"]
    minutes = a.idle / 60
    result.update(idle_seconds=a.idle, idle_requests_per_min=round((requests1 - requests0) / minutes, 1),
                  idle_cpu_ms_per_min=round((cpu1 - cpu0) * 1000 / minutes, 1), idle_bytes=idle_bytes, rss_mib=round(rss / 1024, 1))
    s.close()
    return result


def soak(a, cmd):
    s = Session(cmd, a.cols, a.rows)
    s.read(1.0, 30)
    warm_end = time.monotonic() + min(60, a.minutes * 60 / 4)
    while time.monotonic() < warm_end:
        s.read(0.05, 0.5)
    _, rss_start = s.usage()
    samples = [rss_start]
    end = time.monotonic() + a.minutes * 60
    next_sample = time.monotonic() + 60
    while time.monotonic() < end:
        s.read(0.05, 0.5)
        if time.monotonic() >= next_sample:
            samples.append(s.usage()[1])
            next_sample += 60
    cpu, rss_end = s.usage()
    s.close()
    return {"minutes": a.minutes, "rss_start_mib": round(rss_start / 1024, 1), "rss_end_mib": round(rss_end / 1024, 1),
            "rss_growth_mib": round((rss_end - rss_start) / 1024, 1), "rss_max_mib": round(max(samples) / 1024, 1),
            "cpu_seconds": round(cpu, 1)}


def day(a, cmd):
    """Opens --count conversations one after another (j, then a pause for its thread, contact
    and notes to load), as a long day's work does; reports RSS along the way."""
    s = Session(cmd, a.cols, a.rows)
    s.read(a.settle_startup, 30)
    _, rss_start = s.usage()
    samples = []
    for n in range(1, a.count + 1):
        os.write(s.fd, b"j")
        s.read(a.gap, a.gap + 1)
        if n % max(1, a.count // 6) == 0:
            samples.append((n, round(s.usage()[1] / 1024, 1)))
    _, rss_end = s.usage()
    s.close()
    return {"conversations": a.count, "rss_start_mib": round(rss_start / 1024, 1), "rss_end_mib": round(rss_end / 1024, 1),
            "rss_growth_mib": round((rss_end - rss_start) / 1024, 1), "samples": samples}


def skim(a, cmd):
    """Moves down the list fast (a held j) while every answer takes --latency ms, from a cold
    cache; reports how long after the last key the thread of the row stopped on shows, and
    how many requests and connections the moves cost."""
    s = Session(cmd, a.cols, a.rows)
    s.read(a.settle_startup, 30)
    control(a.base, "/faults", {"rules": [{"latency_ms": a.latency}]})
    requests0, sockets0 = control(a.base, "/stats")["data"]["requests"], sockets_to_server()
    try:
        for _ in range(a.count):
            os.write(s.fd, b"j")
            s.read(a.gap, a.gap)
        last_key = time.monotonic()
        shown = None
        while time.monotonic() - last_key < 10:
            s.read(0.005, 0.005)
            if "Loading messages" not in s.text():
                shown = time.monotonic()
                break
        # Let the loads still under way finish before counting.
        time.sleep(a.latency / 1000 * 3)
        requests = control(a.base, "/stats")["data"]["requests"] - requests0 - 1
        connections = len(sockets_to_server() - sockets0)
    finally:
        control(a.base, "/faults", {"rules": []})
    s.close()
    return {"moves": a.count, "latency_ms": a.latency, "thread_shown_ms": round((shown - last_key) * 1000) if shown else None,
            "requests": requests, "connections_opened": connections}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["paint", "compose", "live", "soak", "skim", "day"])
    ap.add_argument("--cols", type=int, default=200)
    ap.add_argument("--rows", type=int, default=50)
    ap.add_argument("--keys", type=int, default=30)
    ap.add_argument("--idle", type=float, default=10)
    ap.add_argument("--settle-startup", type=float, default=0.5)
    ap.add_argument("--base")
    ap.add_argument("--count", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--size", type=int, default=4000)
    ap.add_argument("--letter", default="x", help="compose: the letter typed (a space every fifth key)")
    ap.add_argument("--paragraph", type=int, default=700, help="compose: characters in each paragraph of the reply")
    ap.add_argument("--latency", type=int, default=300)
    ap.add_argument("--gap", type=float, default=0.03)
    argv = sys.argv[1:]
    if "--" not in argv:
        ap.error("give the command after --")
    split = argv.index("--")
    a = ap.parse_args(argv[:split])
    cmd = argv[split + 1:]
    print(json.dumps({"paint": paint, "compose": compose, "live": live, "soak": soak, "skim": skim, "day": day}[a.mode](a, cmd)))


if __name__ == "__main__":
    main()
