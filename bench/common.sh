# Sourced by the bench scripts: run from the repository root, build release the way
# install.sh does, and set BIN (the programs) and OUT (raw results, not committed).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=bench/out
mkdir -p "$OUT"
swift build -c release --static-swift-stdlib >/dev/null 2>&1
BIN=$(swift build -c release --static-swift-stdlib --show-bin-path)
