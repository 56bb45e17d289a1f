#!/bin/sh
# The HTML report rendered by a real browser (Debian's chromium, headless)
# to PNG and to PDF, as an auditor's browser would show and print it:
# the PNG is not blank (decoded here with python's zlib, non-white pixels
# counted), the PDF is A4 and pdftotext finds the report's text and figures
# in it. The fixture is the report goldens' (tests/golden/report.inc).
set -u
cd "$TOP/tests/golden" && . ./report.inc
n=0
ok() { echo "ok - report-render: $1"; }
nok() { echo "not ok - report-render: $1"; n=$((n + 1)); }

"$LOAXA" report --airlog "$log" --from 2026-08-27 --to 2026-09-04 --format html > "$tmp/r.html" ||
	nok "loaxa report --format html failed"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	nok "chromium is not installed (make deps installs it)"
	exit 1
fi
# as root, on a closed network: no sandbox, nothing in the background that would call out
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
--disable-component-update --disable-sync --disable-extensions --hide-scrollbars"
timeout 120 "$browser" $flags --user-data-dir="$tmp/profile1" --window-size=794,1123 \
	--screenshot="$tmp/r.png" "file://$tmp/r.html" > "$tmp/chromium.log" 2>&1
timeout 120 "$browser" $flags --user-data-dir="$tmp/profile2" --no-pdf-header-footer \
	--print-to-pdf="$tmp/r.pdf" "file://$tmp/r.html" >> "$tmp/chromium.log" 2>&1

if [ -s "$tmp/r.png" ] && python3 - "$tmp/r.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype = hdr[0], hdr[1], hdr[2], hdr[3]
assert depth == 8 and ctype in (2, 6), "unexpected PNG type %d/%d" % (depth, ctype)
bpp = 4 if ctype == 6 else 3
raw, stride = zlib.decompress(idat), w * bpp
prev, dark, colour, i = bytearray(stride), 0, 0, 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        r, g, bl = line[x], line[x + 1], line[x + 2]
        if min(r, g, bl) < 200:
            dark += 1
        if max(r, g, bl) - min(r, g, bl) > 60:
            colour += 1
    prev = line
print("png %dx%d: %d dark pixels, %d coloured" % (w, h, dark, colour), file=sys.stderr)
# text and table lines, and the chart's coloured bars and shading
sys.exit(0 if dark > 0.01 * w * h and colour > 0.005 * w * h else 1)
PY
then ok "the page renders to a PNG that is not blank (text, and the chart's colours)"
else nok "the PNG is missing or blank"; sed 's/^/#   /' "$tmp/chromium.log" | tail -5; fi

if [ -s "$tmp/r.pdf" ] && pdfinfo "$tmp/r.pdf" | grep -q '^Page size: *59[45][.0-9]* x 84[12][.0-9]* pts (A4)'; then
	ok "it prints to PDF on A4 ($(pdfinfo "$tmp/r.pdf" | sed -n 's/^Pages: *//p') pages)"
else nok "no PDF, or not A4: $(pdfinfo "$tmp/r.pdf" 2>&1 | grep -i 'size\|error')"; fi

# the text in reading order, every run of spaces and line breaks made one space
pdftotext "$tmp/r.pdf" - 2> /dev/null | tr -s ' \n' '  ' > "$tmp/r.txt"
for want in "BÁO CÁO KẾT QUẢ PHÁT THANH" "Xã Hòa An (cb-hoa-an)" "Kỳ báo cáo: 27/08/2026 – 04/09/2026" \
    "Nhật ký phát nguyên vẹn" "Số lượt phát" "84,2 %" "Thời lượng phát theo tuần" "Mùa thu hoạch" \
    "Nhận diện hàng giả, hàng kém chất lượng" "mất điện" "Ghi chú"; do
	if grep -qF "$want" "$tmp/r.txt"; then ok "the PDF shows \"$want\""
	else nok "the PDF does not show \"$want\""; fi
done
exit $((n > 0))
