#!/bin/bash
# bench/record.sh SECTION FILE: replaces "## SECTION" in bench/RESULTS.md with FILE's text.
set -euo pipefail
section=$1
file=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cd "$(dirname "$0")"
[ -f RESULTS.md ] || printf '# Benchmark results\n\nEach section is rewritten by the script that measures it.\n' > RESULTS.md
python3 - "$section" "$file" <<'PY'
import re, sys
section, file = sys.argv[1], sys.argv[2]
new = open(file).read().rstrip() + "\n"
text = open("RESULTS.md").read()
pattern = re.compile(r"^## " + re.escape(section) + r"\n.*?(?=^## |\Z)", re.S | re.M)
if pattern.search(text):
    text = pattern.sub(lambda m: new + "\n", text)
else:
    text = text.rstrip() + "\n\n" + new
open("RESULTS.md", "w").write(text)
PY
