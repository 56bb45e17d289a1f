#!/usr/bin/env python3
"""The image test's host side: boots the board image under QEMU, does what the
guest's agent (tests/image/guest.sh) asks over the virtio port org.loaxa.test
(plug and unplug a USB stick through QMP, cut the power and boot again),
prints the agent's TAP lines, and after the last power-off judges what the
agent left on the results disk (recordings, the amplifier line's trace, the
airing log).

    host.py WORKDIR        (WORKDIR holds disk.img, vmlinuz, initrd.img,
                            results.img and the stick images usb-*.img)

Every wait is bounded; a guest that goes quiet for longer than
LOAXA_IMAGE_QUIET seconds (default 600) is killed and its console shown.
The guest's only network is QEMU's user network, restricted
(restrict=on): it reaches nothing but the forwards named here.
"""
import base64
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import wave

W = os.path.abspath(sys.argv[1])
QUIET = int(os.environ.get("LOAXA_IMAGE_QUIET", "600"))
ACCEL = os.environ.get("LOAXA_IMAGE_ACCEL", "tcg,thread=multi")
ONLY = os.environ.get("LOAXA_IMAGE_ONLY", "")   # scenarios to run, e.g. "usb,sound" (default: all)
passed = failed = 0


def tap(ok, what, detail=None):
    global passed, failed
    if ok:
        passed += 1
        print("ok - image: " + what, flush=True)
    else:
        failed += 1
        print("not ok - image: " + what, flush=True)
        for line in (detail or "").splitlines()[-40:]:
            print("#   " + line, flush=True)


class QMP:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        for _ in range(100):
            try:
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.f = self.s.makefile("rw")
        self.f.readline()
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        deadline = time.time() + 30
        while time.time() < deadline:
            r = json.loads(self.f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError("%s: %s" % (name, r["error"].get("desc")))
        raise RuntimeError(name + ": no answer in 30 s")


def boot(n):
    for f in ("qmp.sock", "agent.sock"):
        try:
            os.unlink(os.path.join(W, f))
        except FileNotFoundError:
            pass
    console = open(os.path.join(W, "console-%d.log" % n), "w")
    args = ["qemu-system-x86_64", "-accel", ACCEL, "-cpu", "max", "-smp", "2", "-m", "1024",
            "-machine", "q35", "-display", "none", "-no-reboot", "-serial", "stdio",
            "-kernel", os.path.join(W, "vmlinuz"), "-initrd", os.path.join(W, "initrd.img"),
            "-append", "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0 panic=-1" +
            (" loaxa.only=" + ONLY if ONLY else ""),
            "-drive", "file=%s,if=virtio,format=raw,cache=writeback" % os.path.join(W, "disk.img"),
            "-drive", "file=%s,if=virtio,format=raw" % os.path.join(W, "results.img"),
            "-device", "qemu-xhci,id=xhci",
            "-device", "virtio-serial-pci",
            "-chardev", "socket,id=agent,path=%s,server=on,wait=off" % os.path.join(W, "agent.sock"),
            "-device", "virtserialport,chardev=agent,name=org.loaxa.test",
            "-qmp", "unix:%s,server=on,wait=off" % os.path.join(W, "qmp.sock"),
            "-netdev", "user,id=net0,restrict=on" + "".join(
                ",guestfwd=tcp:10.0.2.100:%d-cmd:socat - TCP:127.0.0.1:%d" % (gport, hport)
                for gport, hport in FORWARDS),
            "-device", "virtio-net-pci,netdev=net0"]
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)
    qmp = QMP(os.path.join(W, "qmp.sock"))
    a = socket.socket(socket.AF_UNIX)
    a.connect(os.path.join(W, "agent.sock"))
    return p, qmp, a, time.time()


def console_tail(n):
    try:
        with open(os.path.join(W, "console-%d.log" % n), errors="replace") as f:
            return "".join(f.readlines()[-40:])
    except OSError:
        return ""


plugged = {}
FORWARDS = []   # (the guest's port at 10.0.2.100, the host's loopback port)


def serve_radio():
    """the station the board relays: WORKDIR/radio over HTTP on the host's loopback"""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                          "--directory", os.path.join(W, "radio")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    FORWARDS.append((80, port))
    return p


TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OFFICE = os.path.join(TOP, "build", "loaxa-office")
FLEET = os.path.join(W, "fleet")


def fleet_start():
    """the office of the fleet scenario (tests/image/fleet.sh made it): Mosquitto with TLS and the shipped
    ACL, forwarded to the guest's 10.0.2.100:8883, and `loaxa-office collect` (as office-collect) into
    SQLite; their processes"""
    if not os.path.exists(os.path.join(FLEET, "mosquitto.conf")):
        return []
    port = int(open(os.path.join(FLEET, "port")).read())
    broker = subprocess.Popen(["mosquitto", "-c", os.path.join(FLEET, "mosquitto.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    FORWARDS.append((8883, port))
    collect = subprocess.Popen([OFFICE, "collect", "-c", os.path.join(FLEET, "office-collect.cfg"), "--insecure", "--db",
                                "sqlite:" + os.path.join(FLEET, "fleet.sqlite")],
                               stdout=open(os.path.join(FLEET, "collect.out"), "w"),
                               stderr=open(os.path.join(FLEET, "collect.err"), "w"))
    return [collect, broker]


def publish(*args):
    site = open(os.path.join(FLEET, "site")).read().strip()
    r = subprocess.run([OFFICE, "publish", "-c", os.path.join(FLEET, "office-publish.cfg"), "--sign-key",
                        os.path.join(FLEET, "sign.key")] + list(args) + ["--sites", site],
                       capture_output=True, text=True, timeout=120)
    out = (r.stdout + r.stderr).replace("\n", " ")[-300:]
    return ("DONE " if r.returncode == 0 else "FAIL exit %d: " % r.returncode) + out


def do(qmp, words):
    if words[0] == "publish-config":       # the guest's config, base64, with a new serial: signed and pushed
        path = os.path.join(FLEET, "pushed.cfg")
        with open(path, "wb") as f:
            f.write(base64.b64decode(words[1]))
        return publish("config", path)
    if words[0] == "publish-bulletins":
        return publish("bulletins", os.path.join(W, "radio", "set", "manifest.cfg"), "--base-url",
                       "http://10.0.2.100/set/")
    if words[0] == "usb-plug":
        name = words[1]
        img = os.path.join(W, "usb-%s.img" % name)
        qmp.cmd("blockdev-add", **{"driver": "raw", "node-name": "stick-" + name,
                                   "file": {"driver": "file", "filename": img}})
        qmp.cmd("device_add", driver="usb-storage", bus="xhci.0", drive="stick-" + name, id="usb-" + name,
                removable=True)
        plugged[name] = time.time()
        return "DONE plugged"
    if words[0] == "usb-unplug":
        name = words[1]
        qmp.cmd("device_del", id="usb-" + name)
        for _ in range(50):     # until the guest has let it go (device_del only asks)
            if "usb-" + name not in [p["name"] for p in qmp.cmd("qom-list", path="/machine/peripheral")]:
                break
            time.sleep(0.2)
        try:
            qmp.cmd("blockdev-del", **{"node-name": "stick-" + name})
        except RuntimeError:
            pass
        return "DONE unplugged"
    return "FAIL unknown request " + " ".join(words)


def main():
    boots = 0
    t_start = time.time()
    p, qmp, a, t0 = boot(boots)
    buf = b""
    last = time.time()
    first_line = None
    bye = False
    while True:
        r, _, _ = select.select([a], [], [], 1.0)
        if r:
            data = a.recv(65536)
            if not data:
                if p.poll() is not None:
                    break
                time.sleep(0.5)
                continue
            buf += data
            last = time.time()
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.decode("utf-8", "replace").rstrip("\r")
                if first_line is None:
                    first_line = time.time() - t0
                    print("# image: the guest's agent spoke %.1f s after QEMU started" % first_line, flush=True)
                if line.startswith("HOST "):
                    words = line.split()[1:]
                    if words == ["powercut"]:
                        print("# image: power cut (QEMU killed with SIGKILL)", flush=True)
                        p.kill()
                        p.wait()
                        boots += 1
                        p, qmp, a, t0 = boot(boots)
                        buf = b""
                        last = time.time()
                        break
                    try:
                        reply = do(qmp, words)
                    except Exception as e:  # noqa: BLE001 - the guest must hear of any failure
                        reply = "FAIL %s" % e
                    a.sendall((reply + "\n").encode())
                elif line == "BYE":
                    bye = True
                elif line.startswith("ok - ") or line.startswith("not ok - "):
                    ok = line.startswith("ok - ")
                    tap(ok, line.split(" - ", 1)[1])
                else:
                    print(line, flush=True)
        if p.poll() is not None:
            break
        if time.time() - last > QUIET:
            tap(False, "the guest went quiet for %d s (boot %d): killed; its console:" % (QUIET, boots),
                console_tail(boots))
            p.kill()
            p.wait()
            break
    if p.poll() is None:
        try:
            p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
    tap(bye, "the guest's agent finished its scenarios and powered the board off",
        None if bye else console_tail(boots))
    print("# image: %d boots, %.0f s in QEMU" % (boots + 1, time.time() - t_start), flush=True)
    return bye


if __name__ == "__main__":
    radio = serve_radio()
    office = fleet_start()
    try:
        finished = main()
    finally:
        radio.terminate()
        for proc in office:
            proc.terminate()
            proc.wait()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 and finished else 1)
