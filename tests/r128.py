#!/usr/bin/env python3
"""Independent checks of what loaxa wrote to a sound device (python3 stdlib only).

  r128.py loudness RAW RATE CHANNELS
      integrated loudness of raw S16_LE samples, by ITU-R BS.1770-4 written
      out here (K-weighting from the standard's analogue prototype, 400 ms
      blocks every 100 ms, -70 LUFS absolute and -10 LU relative gates),
      not by libebur128. A mono capture counts as dual mono (both
      loudspeakers), the convention loaxa measures with.
      Prints: LUFS PEAK_DBFS CLIPPED_SAMPLES FRAMES

  r128.py compare CAPTURE REFERENCE CHANNELS SKIP_FRAMES
      sample by sample: CAPTURE (raw S16_LE, what loaxa played) against
      REFERENCE (raw S16_LE from another decoder), leaving out SKIP_FRAMES
      at each end (the fades). The gain between them is fitted (least
      squares), then the largest difference left is found. Samples where the
      reference is at full scale are left out: its decoder clipped them.
      Prints: GAIN_DB MAX_ABS_DIFF_LSB CORRELATION CAPTURE_FRAMES REFERENCE_FRAMES
"""
import array
import math
import sys


def read_s16(path, channels):
    a = array.array("h")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    if sys.byteorder != "little":
        a.byteswap()
    n = len(a) // channels
    return [a[c::channels][:n] for c in range(channels)], n


def k_filter(x, rate):
    # stage 1: the head's high shelf; stage 2: the RLB high pass
    f0, g, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (g / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    b0, b1, b2 = (vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0
    a1, a2 = 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    d = 1 + k / q + k * k
    c1, c2 = 2 * (k * k - 1) / d, (1 - k / q + k * k) / d
    out = []
    x1 = x2 = y1 = y2 = z1 = z2 = 0.0
    for s in x:
        s = s / 32768.0
        y = b0 * s + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1 = x1, s
        z = y - 2 * y1 + y2 - c1 * z1 - c2 * z2
        y2, y1 = y1, y
        z2, z1 = z1, z
        out.append(z)
    return out


def loudness(path, rate, channels):
    chans, n = read_s16(path, channels)
    weights = [2.0] if channels == 1 else [1.0] * channels
    sq = []
    peak = 0
    clipped = 0
    for c in chans:
        for s in c:
            if s >= 32767 or s <= -32768:
                clipped += 1
        peak = max(peak, max((abs(s) for s in c), default=0))
        y = k_filter(c, rate)
        # running sums of squares for 100 ms steps
        step = rate // 10
        sums = []
        for i in range(0, n - step + 1, step):
            sums.append(math.fsum(v * v for v in y[i:i + step]))
        sq.append(sums)
    step = rate // 10
    blocks = []
    for j in range(len(sq[0]) - 3):
        z = 0.0
        for w, s in zip(weights, sq):
            z += w * (s[j] + s[j + 1] + s[j + 2] + s[j + 3]) / (4 * step)
        blocks.append(z)
    lk = lambda z: -0.691 + 10 * math.log10(z) if z > 0 else -math.inf
    gated = [z for z in blocks if lk(z) > -70]
    if not gated:
        return -math.inf, peak, clipped, n
    rel = lk(sum(gated) / len(gated)) - 10
    gated = [z for z in gated if lk(z) > rel]
    lufs = lk(sum(gated) / len(gated))
    pk = 20 * math.log10(peak / 32768.0) if peak else -math.inf
    return lufs, pk, clipped, n


def compare(cap, ref, channels, skip):
    (c, nc), (r, nr) = read_s16(cap, channels), read_s16(ref, channels)
    n = min(nc, nr)
    sxy = sxx = syy = 0.0
    for ch in range(channels):
        a, b = c[ch], r[ch]
        for i in range(skip, n - skip):
            x, y = a[i], b[i]
            if y >= 32767 or y <= -32768:
                continue    # the reference decoder clipped there; loaxa need not
            sxy += x * y
            sxx += x * x
            syy += y * y
    if sxx == 0 or syy == 0:
        return -math.inf, math.inf, 0.0, nc, nr
    g = sxy / syy
    worst = 0.0
    for ch in range(channels):
        a, b = c[ch], r[ch]
        for i in range(skip, n - skip):
            if b[i] >= 32767 or b[i] <= -32768:
                continue
            d = abs(a[i] - g * b[i])
            if d > worst:
                worst = d
    return 20 * math.log10(g) if g > 0 else -math.inf, worst, sxy / math.sqrt(sxx * syy), nc, nr


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "loudness":
        lufs, pk, clipped, n = loudness(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        print("%.2f %.2f %d %d" % (lufs, pk, clipped, n))
    elif len(sys.argv) == 6 and sys.argv[1] == "compare":
        gain, worst, corr, nc, nr = compare(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        print("%.3f %.1f %.6f %d %d" % (gain, worst, corr, nc, nr))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
