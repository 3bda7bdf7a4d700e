"""Recomputes the dataset fingerprint of an exported snapshot, independently of the TypeScript code.

Usage: snapshot_fingerprint.py FILE.csv
Prints one JSON line: {"rows": ..., "dataset_fingerprint": ...}. The definition (docs/catalog.md):
SHA-256 over one line per product in ascending productid order, each the JSON array
[productid, prdtypecode, designation, description] (description null when empty) plus "\n".
"""

import csv
import hashlib
import json
import sys

with open(sys.argv[1], newline="", encoding="utf-8") as file:
    reader = csv.reader(file)
    assert next(reader) == ["productid", "designation", "description", "prdtypecode"]
    rows = [
        [int(productid), int(code), designation, description or None]
        for productid, designation, description, code in reader
    ]
rows.sort(key=lambda row: row[0])
digest = hashlib.sha256()
for row in rows:
    digest.update((json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
print(json.dumps({"rows": len(rows), "dataset_fingerprint": digest.hexdigest()}))
