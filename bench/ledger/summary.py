"""Prints bench/ledger's summary (markdown) from its results.jsonl.

    python3 bench/ledger/summary.py RESULTS.jsonl SCALE
"""

import json
import sys


def main() -> None:
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    scale = sys.argv[2]
    gen = next((r for r in rows if r["step"] == "generate"), None)
    print(f"# bench/ledger, scale {scale}\n")
    if gen:
        print(
            f"Fleet: {gen['environments']:,} environments, {gen['runs']:,} runs, "
            f"{gen['dataset_versions']:,} dataset versions, {gen['documents']:,} signed "
            f"documents, {gen['bytes'] / 2**30:.2f} GiB; mean attestation "
            f"{gen['attestation_bytes_mean']:,} bytes; generated in {gen['seconds']:.0f} s; "
            f"planted: {gen['planted']}\n"
        )
    print("| backend | ingest attestations/s | documents/s | ingest s | peak RSS MiB "
          "| bytes/run | package | envs | runs | impact p50 ms | p99 ms | max ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for backend in ("sqlite", "postgres"):
        ingest = next((r for r in rows if r["step"] == f"ingest-{backend}"), None)
        size = next((r for r in rows if r["step"] == f"size-{backend}"), None)
        if not ingest:
            continue
        for q in (r for r in rows if r["step"] == f"impact-{backend}"):
            print(
                f"| {backend} | {ingest['attestations_per_s']:,.0f} | "
                f"{ingest['documents_per_s']:,.0f} | {ingest['seconds']:.1f} | "
                f"{ingest['peak_rss_kib'] / 1024:.0f} | "
                f"{size['bytes_per_run']:,.0f} | {q['package']} | "
                f"{q['result']['environments']} | {q['result']['runs']:,} | "
                f"{q['p50_ms']:.1f} | {q['p99_ms']:.1f} | {q['max_ms']:.1f} |"
            )
    print()
    print("Targets: impact p50 < 200 ms and p99 < 1 s on both; ingest >= 5,000 "
          "attestations/s on SQLite.")


if __name__ == "__main__":
    main()
