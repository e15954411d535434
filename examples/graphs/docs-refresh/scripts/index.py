#!/usr/bin/env python3
"""Build a small search index (term -> pages) from pages.json and the Markdown sources."""
import json
import pathlib
import re
import sys


def main(pages_json: str, source: str, out: str, min_length: int) -> int:
    pages = json.loads(pathlib.Path(pages_json).read_text(encoding="utf-8"))["pages"]
    terms: dict[str, set[str]] = {}
    for page in pages:
        text = (pathlib.Path(source) / page["path"]).read_text(encoding="utf-8").lower()
        for word in re.findall(r"[a-z]+", text):
            if len(word) >= min_length:
                terms.setdefault(word, set()).add(page["path"])
    index = {"terms": {t: sorted(p) for t, p in sorted(terms.items())}, "pages": len(pages)}
    tmp = pathlib.Path(out + ".tmp")
    tmp.write_text(json.dumps(index, indent=1), encoding="utf-8")
    tmp.replace(out)
    print(f"indexed {len(terms)} terms of length >= {min_length}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 4))
