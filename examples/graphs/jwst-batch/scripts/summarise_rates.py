#!/usr/bin/env python3
"""Summarise count-rate products (FITS, SCI and DQ extensions) into one JSON file.

Reads FITS itself (the standard library only): header blocks of 2880 bytes, 80-byte
cards, big-endian data padded to 2880 bytes.
"""
import array
import json
import math
import pathlib
import statistics
import sys

BLOCK = 2880


def read_hdus(path):
    data = pathlib.Path(path).read_bytes()
    pos, hdus = 0, []
    while pos < len(data):
        cards = {}
        while True:
            block = data[pos:pos + BLOCK]
            if len(block) < BLOCK:
                raise ValueError(f"{path}: truncated header")
            pos += BLOCK
            done = False
            for i in range(0, BLOCK, 80):
                card = block[i:i + 80].decode("ascii")
                key = card[:8].strip()
                if key == "END":
                    done = True
                    break
                if card[8:10] == "= ":
                    value = card[10:].split("/")[0].strip()
                    cards[key] = value.strip("'").strip() if value.startswith("'") else value
            if done:
                break
        bitpix, naxis = int(cards["BITPIX"]), int(cards.get("NAXIS", 0))
        shape = [int(cards[f"NAXIS{i}"]) for i in range(1, naxis + 1)]
        size = abs(bitpix) // 8 * math.prod(shape) if shape else 0
        size += int(cards.get("PCOUNT", 0))
        hdus.append((cards, bitpix, data[pos:pos + size]))
        pos += (size + BLOCK - 1) // BLOCK * BLOCK
    return hdus


def values(bitpix, raw):
    code = {-32: "f", -64: "d", 32: "i", 16: "h", 8: "B"}[bitpix]
    a = array.array(code)
    a.frombytes(raw)
    if sys.byteorder == "little" and code != "B":
        a.byteswap()
    return a


def summarise(path):
    out = {"file": pathlib.Path(path).name}
    for cards, bitpix, raw in read_hdus(path):
        name = cards.get("EXTNAME", "")
        if name == "SCI":
            sci = values(bitpix, raw)
            finite = [v for v in sci if math.isfinite(v)]
            out.update(pixels=len(sci), nan=len(sci) - len(finite),
                       median_rate=statistics.median(finite) if finite else None,
                       mean_rate=statistics.fmean(finite) if finite else None)
        elif name == "DQ":  # unsigned 32-bit integers are stored signed, offset by BZERO
            zero = int(float(cards.get("BZERO", 0)))
            out["flagged"] = sum(1 for v in values(bitpix, raw) if v + zero)
    return out


def main(out, inputs):
    products = [summarise(p) for p in inputs]
    result = {"products": products, "count": len(products)}
    tmp = pathlib.Path(out + ".tmp")
    tmp.write_text(json.dumps(result, indent=1), encoding="utf-8")
    tmp.replace(out)
    for p in products:
        print(f"{p['file']}: median {p['median_rate']:.4g} DN/s, {p['flagged']} flagged, {p['nan']} NaN")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print("usage: summarise_rates.py OUT_JSON RATE.fits...", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
