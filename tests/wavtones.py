#!/usr/bin/env python3
"""How long each pure tone sounds in a float WAV (what the wav: device wrote), by 100 ms blocks.

  wavtones.py WAV FREQ...                 prints, for each FREQ, the seconds of blocks whose
                                          frequency (half its zero crossings) is within 5 %
  wavtones.py WAV FREQ --tail S OUT.raw   also writes the last S seconds of FREQ's blocks to
                                          OUT.raw as S16_LE stereo (for tests/r128.py), and
                                          OUT.raw.rate holds the WAV's rate
Blocks quieter than -40 dBFS are silence. Standard library only.
"""
import struct
import sys


def read(path):
    d = open(path, "rb").read()
    i, fmt, data = 12, None, None
    while i + 8 <= len(d):
        cid, size = d[i:i + 4], struct.unpack("<I", d[i + 4:i + 8])[0]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", d[i + 8:i + 24])
        if cid == b"data":
            data = d[i + 8:i + 8 + size] if size not in (0, 0xFFFFFFFF) else d[i + 8:]
            break
        i += 8 + size + (size & 1)
    _, ch, rate, _, _, bits = fmt
    n = len(data) // (bits // 8)
    x = struct.unpack("<%d%s" % (n, "f" if bits == 32 else "d"), data[:n * (bits // 8)])[0::ch]
    return rate, x


def main():
    args = sys.argv[1:]
    tail = None
    if "--tail" in args:
        k = args.index("--tail")
        tail = (float(args[k + 1]), args[k + 2])
        args = args[:k]
    rate, x = read(args[0])
    freqs = [float(f) for f in args[1:]]
    blk = rate // 10
    hits = {f: [] for f in freqs}
    for b in range(0, len(x) - blk, blk):
        s = x[b:b + blk]
        if max(abs(v) for v in s) < 0.01:
            continue
        z = sum(1 for k in range(1, len(s)) if (s[k - 1] < 0) != (s[k] < 0))
        for f in freqs:
            if abs(z * 5 - f) < 0.05 * f:
                hits[f].append(b)
    print(" ".join("%.1f" % (len(hits[f]) / 10) for f in freqs))
    if tail:
        secs, out = tail
        with open(out, "wb") as fp:
            for b in hits[freqs[0]][-int(secs * 10):]:
                for v in x[b:b + blk]:
                    q = max(-32768, min(32767, int(round(v * 32767))))
                    fp.write(struct.pack("<hh", q, q))
        open(out + ".rate", "w").write("%d\n" % rate)


main()
