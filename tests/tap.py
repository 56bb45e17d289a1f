#!/usr/bin/env python3
"""What a sink is given, as it is given: tails PATH (a FIFO, or a file that
grows, polled every 5 ms) and writes a line whenever what arrives changes
between silence and a tone, or from one tone to another:

    EPOCH STATE          STATE: silence, or the tone's frequency in Hz

EPOCH is time.time() when the bytes holding the change arrived (as the
player handed them over). The state is taken over blocks of 20 ms of audio
(peak below -60 dBFS: silence; otherwise the frequency from the zero
crossings of the first channel); a change is written when two blocks in a
row agree on it, stamped with the first.

Usage: tap.py PATH FORMAT OUT   (runs until killed or the writer ends)
  FORMAT  wav     a WAV that grows as it is written (loaxa's wav: device:
                  its header says rate, channels, 16-bit or float)
          s16:RATE:CHANNELS   raw signed 16-bit little-endian
"""
import array
import os
import stat
import struct
import sys
import time

path, fmt, out = sys.argv[1], sys.argv[2], sys.argv[3]


def opener():
    while True:
        try:
            return os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            time.sleep(0.005)


fd = opener()
fifo = stat.S_ISFIFO(os.fstat(fd).st_mode)
buf = bytearray()


def more():
    """bytes that have arrived, and when; b'' at the writer's end (FIFO)"""
    while True:
        b = os.read(fd, 1 << 16)
        if b or fifo:
            return b, time.time()
        time.sleep(0.005)


def need(n):
    while len(buf) < n:
        b, _ = more()
        if not b:
            sys.exit(0)
        buf.extend(b)


if fmt == "wav":
    need(12)
    pos = 12
    rate = ch = bits = 0
    floaty = False
    while True:
        need(pos + 8)
        cid, size = buf[pos:pos + 4], struct.unpack("<I", buf[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            need(pos + 8 + 16)
            tag, ch, rate = struct.unpack("<HHI", buf[pos + 8:pos + 16])
            bits = struct.unpack("<H", buf[pos + 22:pos + 24])[0]
            floaty = tag == 3 or (tag == 0xFFFE and bits == 32 and False)
            if tag == 0xFFFE:	# extensible: the sub-format's first two bytes
                need(pos + 8 + 26)
                floaty = struct.unpack("<H", buf[pos + 32:pos + 34])[0] == 3
        if cid == b"data":
            pos += 8
            break
        pos += 8 + size + (size & 1)
    del buf[:pos]
else:
    _, r, c = fmt.split(":")
    rate, ch, bits, floaty = int(r), int(c), 16, False

width = bits // 8
block = max(1, rate // 50)	# 20 ms
frame = width * ch
code = "f" if floaty else ("h" if width == 2 else "i")
full = 1.0 if floaty else float(1 << (bits - 1))
quiet = full / 1000	# -60 dBFS


def state_of(chunk):
    a = array.array(code)
    a.frombytes(chunk)
    x = a[0::ch]
    if max(abs(v) for v in x) < quiet:
        return "silence"
    zc = sum(1 for i in range(1, len(x)) if (x[i - 1] < 0) != (x[i] < 0))
    return str(int(round(zc * rate / (2.0 * len(x)) / 10.0)) * 10)


def same(a, b):
    if a == "silence" or b == "silence":
        return a == b
    return abs(int(a) - int(b)) <= max(30, int(a) // 10)


with open(out, "a", buffering=1) as log:
    state, cand, cand_t = None, None, 0.0
    stamp = time.time()
    while True:
        while len(buf) >= block * frame:
            s = state_of(bytes(buf[:block * frame]))
            del buf[:block * frame]
            if state is not None and same(s, state):
                cand = None
            elif cand is not None and same(s, cand):
                log.write("%.6f %s\n" % (cand_t, cand))
                state, cand = cand, None
            else:
                cand, cand_t = s, stamp
        b, stamp = more()
        if not b:
            break
        buf.extend(b)
