#!/usr/bin/env python3
"""Collect the Markdown pages of a folder into pages.json: path, title, words, links."""
import json
import pathlib
import re
import sys


def main(source: str, out: str) -> int:
    pages = []
    for md in sorted(pathlib.Path(source).glob("*.md")):
        text = md.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), None)
        links = re.findall(r"\]\(([^)#]+\.md)\)", text)
        pages.append({"path": md.name, "title": title, "words": len(re.findall(r"\w+", text)), "links": links})
    pathlib.Path(out).parent.mkdir(parents=True, exist_ok=True)
    tmp = pathlib.Path(out + ".tmp")
    tmp.write_text(json.dumps({"pages": pages}, indent=1), encoding="utf-8")
    tmp.replace(out)
    print(f"collected {len(pages)} pages from {source}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: collect.py SOURCE_DIR OUT_JSON", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
