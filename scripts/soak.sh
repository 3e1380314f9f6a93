#!/usr/bin/env bash
# soak.sh: the long runs kept out of the default test suite.
# Usage: scripts/soak.sh [OPS] [SEEDS...]   (default: 20000 operations, seeds 1 to 8)
# Runs the engine's model-based random test (unify often, and unify only at close) for
# each seed and stops at the first failure, printing the seed to replay it with:
#   TUX3_MODEL_SEED=S TUX3_MODEL_OPS=N build/tests/tuxdisk_unit_tests --gtest_filter='*VolumeModel*'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ops=${1:-20000}
shift || true
seeds=("$@")
((${#seeds[@]})) || seeds=(1 2 3 4 5 6 7 8)
dir=$("$root/scripts/build.sh" Release | tail -n 1)
for seed in "${seeds[@]}"; do
  echo "soak: seed $seed, $ops operations"
  TUX3_MODEL_SEED=$seed TUX3_MODEL_OPS=$ops "$dir/tests/tuxdisk_unit_tests" \
    --gtest_filter='*VolumeModel*' --gtest_brief=1 || { echo "soak: FAILED with seed $seed"; exit 1; }
done
echo "soak: ${#seeds[@]} seeds passed"
