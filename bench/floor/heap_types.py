"""Types in a `dotnet-gcdump report` (10k.report.txt), by bytes they hold in all.

    python3 heap_types.py top REPORT [N]         the N types holding the most bytes
    python3 heap_types.py diff BASE OTHER [N]    bytes per connection (of 10,000) that OTHER holds more than BASE
"""
import re
import sys

CONNECTIONS = 10_000
ROW = re.compile(r"\s*([\d,]+)\s+([\d,]+)\s+(.*)$")


def bytes_by_type(path):
    """A report row gives the size of one object and the count; the assembly in brackets is dropped."""
    totals = {}
    with open(path) as report:
        for line in report:
            row = ROW.match(line)
            if not row:
                continue
            size, count = (int(group.replace(",", "")) for group in row.group(1, 2))
            name = re.sub(r"\s+\[[^\]]*\]\s*$", "", row.group(3)).strip()
            totals[name] = totals.get(name, 0) + size * count
    return totals


def top(path, n=10):
    totals = bytes_by_type(path)
    for name, size in sorted(totals.items(), key=lambda item: -item[1])[:n]:
        print(f"{size / 1024:10.1f} KB  {name}")
    print(f"all types: {sum(totals.values()) / 1024:.1f} KB")


def diff(base_path, other_path, n=25):
    base, other = bytes_by_type(base_path), bytes_by_type(other_path)
    deltas = sorted(((other.get(name, 0) - base.get(name, 0), name) for name in base.keys() | other.keys()), reverse=True)
    print("largest increases, bytes per connection:")
    for delta, name in deltas[:n]:
        print(f"{delta / CONNECTIONS:8.1f} B  {name[:150]}")
    print("largest decreases:")
    for delta, name in deltas[::-1][:8]:
        print(f"{delta / CONNECTIONS:8.1f} B  {name[:150]}")
    print(f"all types: {(sum(other.values()) - sum(base.values())) / CONNECTIONS:.1f} B per connection")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "top":
        top(sys.argv[2], *map(int, sys.argv[3:4]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3], *map(int, sys.argv[4:5]))
    else:
        sys.exit(__doc__)
