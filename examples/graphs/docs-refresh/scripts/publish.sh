#!/bin/sh
# Copy the report and the index into the publish directory (what a real site deploy would upload).
set -eu
dest="$1"; shift
mkdir -p "$dest"
for f in "$@"; do cp "$f" "$dest/"; done
echo "published $# file(s) to $dest"
