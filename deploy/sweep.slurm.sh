#!/bin/bash
# Sharded htsgd sweep: 8 array tasks, task k runs shard k/8 of deploy/grid.example.json.
# Rendered by lib/shard/templates.ts (deno task deploy:render). Submit from the project
# folder (log paths are relative to it): mkdir -p logs && sbatch <this file>
#SBATCH --job-name=htsgd-sweep
#SBATCH --array=0-7%4
#SBATCH --time=04:00:00
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=4
#SBATCH --mem=16G
#SBATCH --output=logs/%x-%A_%a.out
#SBATCH --requeue
set -euo pipefail
cd "${HOME}/htsgd"
# A rerun (requeue, or sbatch --array=<k> <this file> for a failed task k) loads finished
# runs and resumes interrupted ones from their checkpoints.
exec ./node_modules/.bin/deno run -A scripts/sweep.ts --grid deploy/grid.example.json --shard "${SLURM_ARRAY_TASK_ID}/8" --store "results/sweep/shard-${SLURM_ARRAY_TASK_ID}" --checkpoint-every 200 --quiet
# When every task has finished, combine the shards' stores (refuses conflicting runs):
#   ./node_modules/.bin/deno run -A scripts/merge.ts --into results/sweep results/sweep/shard-*
