"""Reads a balanced training set written by `prodclass data balance` and reports on it.

Usage: balanced_parquet.py FILE.parquet
Prints one JSON line with the columns, the split sizes, the class counts of each split and how
many test products also appear in the training part (must be 0).
"""

import json
import sys

import pyarrow.parquet as pq

table = pq.read_table(sys.argv[1]).to_pandas()
train = table[table["split"] == "train"]
test = table[table["split"] == "test"]
print(
    json.dumps(
        {
            "columns": list(table.columns),
            "splits": sorted(table["split"].unique().tolist()),
            "train_rows": len(train),
            "test_rows": len(test),
            "train_counts": {str(k): int(v) for k, v in train["prdtypecode"].value_counts().items()},
            "test_counts": {str(k): int(v) for k, v in test["prdtypecode"].value_counts().items()},
            "test_products_in_train": int(test["productid"].isin(train["productid"]).sum()),
            "duplicate_test_products": int(test["productid"].duplicated().sum()),
            "null_descriptions": int(table["description"].isna().sum()),
            "empty_descriptions": int((table["description"] == "").sum()),
        }
    )
)
