#!/usr/bin/env python3
"""Onset at the sink: reads a FIFO that ALSA's file plugin writes (what the
player handed to the device, as it hands it over) and, for every stream
(one open of the device: one session), writes a line as soon as its first
sound arrives:

    EPOCH_OF_FIRST_NONZERO_BYTE

EPOCH is time.time() when the chunk holding it arrived (chunks arrive as
the player writes them, a period at a time).
Usage: sink.py FIFO OUT   (runs until killed)."""
import os
import sys
import time

fifo, out = sys.argv[1], sys.argv[2]
with open(out, "a", buffering=1) as log:
    while True:
        fd = os.open(fifo, os.O_RDONLY)
        seen = False
        while True:
            b = os.read(fd, 65536)
            if not b:
                break
            if not seen and b.strip(b"\0"):
                log.write("%.6f\n" % time.time())
                seen = True
        os.close(fd)
