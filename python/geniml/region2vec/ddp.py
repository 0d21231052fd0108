"""Data-parallel Region2Vec / scEmbed training from a token store, launched with torchrun.

    torchrun --nproc_per_node 2 -m geniml.region2vec.ddp \\
        --tokens tokens_store/ --universe universe.bed --save-dir model/ --epochs 10

Each process trains on its share of the store's rows and the weight tables are averaged after
every group of row groups (gloo on the CPU, NCCL when every rank has a GPU); rank 0 writes the
model folder. On a cluster, the same command runs under SLURM's ``srun torchrun ...``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, join the process group, train, and save on rank 0."""
    import torch
    import torch.distributed as dist

    from geniml.region2vec import Region2VecExModel
    from geniml.tokenization.store import TokenStore

    ap = argparse.ArgumentParser(prog="python -m geniml.region2vec.ddp", description=__doc__)
    ap.add_argument("--tokens", required=True, type=Path, help="token store folder")
    ap.add_argument("--universe", required=True, type=Path, help="universe BED file")
    ap.add_argument("--save-dir", required=True, type=Path, help="model folder to write")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--embedding-dim", type=int, default=100)
    ap.add_argument("--window-size", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=1)
    ap.add_argument("--sg", action="store_true", help="skip-gram instead of CBOW")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=1, help="kernel threads per process")
    ap.add_argument("--force", action="store_true", help="replace an existing model folder")
    a = ap.parse_args(argv)
    if "WORLD_SIZE" not in os.environ:
        ap.error("run under torchrun (WORLD_SIZE is not set)")
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend=backend)
    try:
        model = Region2VecExModel(tokenizer=a.universe, embedding_dim=a.embedding_dim)
        report = model.train(
            TokenStore(a.tokens),
            epochs=a.epochs,
            window_size=a.window_size,
            min_count=a.min_count,
            sg=a.sg,
            seed=a.seed,
            num_cpus=a.threads,
        )
        if dist.get_rank() == 0:
            model.export(a.save_dir, force=a.force)
            print(f"trained on {dist.get_world_size()} processes: loss {report.losses[-1]:.4f}")
        dist.barrier()
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
