"""The Vec2Vec network (upstream geniml's Text2BedNN), its training loop and model folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from geniml.exceptions import GenimlValueError, ModelError
from geniml.hub import PretrainedMixin

if TYPE_CHECKING:
    import torch

__all__ = ["TrainHistory", "Vec2Vec", "Vec2VecFNN"]

MODEL_TYPE = "text2bednn"
CONFIG_FILE = "config.yaml"
SAFETENSORS_FILE = "model.safetensors"
CHECKPOINT_FILE = "checkpoint.pt"
Loss = Literal["cosine_embedding_loss", "mean_squared_error"]
_LOSSES = ("cosine_embedding_loss", "mean_squared_error")


@dataclass
class TrainHistory:
    """Per-epoch mean losses of one :meth:`Vec2Vec.train` call.

    Attributes:
        loss: training loss per epoch.
        val_loss: validation loss per epoch (empty without a validation split).
        best_epoch: 0-based epoch whose weights were kept (lowest validation loss).
        stopped_early: training stopped before ``epochs`` because validation stalled.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = -1
    stopped_early: bool = False


def _matrix(x: object, what: str, dim: int | None = None) -> np.ndarray:
    a = np.asarray(x)
    if a.ndim != 2 or not np.issubdtype(a.dtype, np.number):
        raise GenimlValueError(f"{what}: expected a 2-D numeric array, got shape {a.shape}")
    if dim is not None and a.shape[1] != dim:
        raise GenimlValueError(f"{what}: expected dimension {dim}, got {a.shape[1]}")
    if not np.isfinite(a).all():
        raise GenimlValueError(f"{what}: holds NaN or infinite values")
    return np.ascontiguousarray(a, dtype=np.float32)


class Vec2Vec(PretrainedMixin):
    """Feed-forward network: Linear-ReLU blocks (``num_units`` each), then a Linear output.

    Args:
        input_dim: sentence-embedding dimension (384 for all-MiniLM-L6-v2).
        output_dim: region-set embedding dimension.
        num_units: hidden layer sizes (one int = one hidden layer).
        device: torch device (default: CUDA when present, else CPU).

    Examples:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(64, 8)).astype("float32")
        >>> y = x[:, :4] * 2
        >>> v = Vec2Vec(8, 4, num_units=16, device="cpu")
        >>> h = v.train(x, y, epochs=30, loss="mean_squared_error", rng=0)
        >>> h.val_loss[h.best_epoch] < h.val_loss[0]
        True
        >>> v.encode(x[:2]).shape
        (2, 4)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        *,
        num_units: int | Sequence[int] = 256,
        device: str | None = None,
    ) -> None:
        units = [num_units] if isinstance(num_units, (int, np.integer)) else list(num_units)
        checks = [("input_dim", input_dim), ("output_dim", output_dim)]
        for name, v in checks + [("num_units", u) for u in units]:
            if int(v) < 1:
                raise GenimlValueError(f"{name} must be >= 1, got {v}")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.num_units = [int(u) for u in units]
        self.loss_name: str = "cosine_embedding_loss"
        self.trained = False
        self.history: TrainHistory | None = None
        self._device_name = device
        self.model = self._build()

    def __repr__(self) -> str:
        return (
            f"Vec2Vec(input_dim={self.input_dim}, output_dim={self.output_dim}, "
            f"num_units={self.num_units}, trained={self.trained})"
        )

    @property
    def device(self) -> torch.device:
        """The torch device of the network."""
        import torch

        if self._device_name is not None:
            return torch.device(self._device_name)
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")

    def _build(self):
        from torch import nn

        layers: list[Any] = []
        prev = self.input_dim
        for u in self.num_units:
            layers += [nn.Linear(prev, u), nn.ReLU()]
            prev = u
        layers.append(nn.Linear(prev, self.output_dim))
        return nn.Sequential(*layers).to(self.device)

    def _loss_fn(self, name: str):
        import torch

        if name == "cosine_embedding_loss":
            return lambda out, y: (
                1.0 - torch.nn.functional.cosine_similarity(out, y, dim=1)
            ).mean()
        return torch.nn.functional.mse_loss

    def train(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        validation: float | tuple[np.ndarray, np.ndarray] = 0.1,
        epochs: int = 1000,
        batch_size: int = 32,
        learning_rate: float = 1e-3,
        loss: Loss = "cosine_embedding_loss",
        patience: int = 20,
        rng: int | np.random.Generator | None = 0,
    ) -> TrainHistory:
        """Fit with Adam; stop when the validation loss has not improved for ``patience`` epochs.

        The weights of the epoch with the lowest validation loss are kept.

        Args:
            x: ``(n, input_dim)`` sentence embeddings.
            y: ``(n, output_dim)`` region-set embeddings.
            validation: fraction of the pairs held out (at least one pair), or explicit
                ``(x_val, y_val)``; ``0`` trains all epochs without early stopping.
            epochs: maximum epochs.
            batch_size: pairs per step.
            learning_rate: Adam's step size.
            loss: ``"cosine_embedding_loss"`` (1 - cosine, upstream's default) or
                ``"mean_squared_error"``.
            patience: epochs without validation improvement before stopping.
            rng: seed or generator for the split, initial weights and batch order.

        Returns:
            The :class:`TrainHistory` (also kept as ``self.history``).

        Raises:
            GenimlValueError: shapes disagree or an argument is out of range.
        """
        import torch

        if loss not in _LOSSES:
            raise GenimlValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
        if epochs < 1 or batch_size < 1 or patience < 1 or not learning_rate > 0:
            raise GenimlValueError(
                "epochs, batch_size and patience must be >= 1 and learning_rate > 0"
            )
        x = _matrix(x, "x", self.input_dim)
        y = _matrix(y, "y", self.output_dim)
        if len(x) != len(y):
            raise GenimlValueError(f"x has {len(x)} rows but y has {len(y)}")
        if len(x) == 0:
            raise GenimlValueError("no training pairs")
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        xv: np.ndarray | None
        yv: np.ndarray | None
        if isinstance(validation, tuple):
            xv = _matrix(validation[0], "validation x", self.input_dim)
            yv = _matrix(validation[1], "validation y", self.output_dim)
            if len(xv) != len(yv) or len(xv) == 0:
                raise GenimlValueError("validation x and y must have the same, non-zero length")
            xt, yt = x, y
        elif validation:
            if not 0 < validation < 1:
                raise GenimlValueError(f"validation must be in (0, 1), got {validation}")
            if len(x) < 2:
                raise GenimlValueError("a validation split needs at least 2 pairs")
            order = gen.permutation(len(x))
            n_val = min(max(1, round(validation * len(x))), len(x) - 1)
            xv, yv = x[order[:n_val]], y[order[:n_val]]
            xt, yt = x[order[n_val:]], y[order[n_val:]]
        else:
            xv = yv = None
            xt, yt = x, y
        torch.manual_seed(int(gen.integers(2**31)))
        self.model = self._build()
        self.loss_name = loss
        fn = self._loss_fn(loss)
        dev = self.device
        xt_t, yt_t = torch.from_numpy(xt).to(dev), torch.from_numpy(yt).to(dev)
        val = None if xv is None else (torch.from_numpy(xv).to(dev), torch.from_numpy(yv).to(dev))
        opt = torch.optim.Adam(self.model.parameters(), lr=learning_rate)
        hist = TrainHistory()
        best = float("inf")
        best_state = None
        stall = 0
        for epoch in range(epochs):
            self.model.train()
            perm = torch.from_numpy(gen.permutation(len(xt))).to(dev)
            total = 0.0
            for lo in range(0, len(xt), batch_size):
                idx = perm[lo : lo + batch_size]
                opt.zero_grad()
                batch_loss = fn(self.model(xt_t[idx]), yt_t[idx])
                batch_loss.backward()
                opt.step()
                total += float(batch_loss.detach()) * len(idx)
            hist.loss.append(total / len(xt))
            if val is None:
                continue
            self.model.eval()
            with torch.no_grad():
                v = float(fn(self.model(val[0]), val[1]))
            hist.val_loss.append(v)
            if v < best:
                best, stall, hist.best_epoch = v, 0, epoch
                best_state = {k: t.detach().clone() for k, t in self.model.state_dict().items()}
            else:
                stall += 1
                if stall >= patience:
                    hist.stopped_early = True
                    break
        if best_state is not None:
            self.model.load_state_dict(best_state)
        else:
            hist.best_epoch = len(hist.loss) - 1
        self.model.eval()
        self.trained = True
        self.history = hist
        return hist

    def encode(self, x: np.ndarray) -> np.ndarray:
        """Map sentence embeddings into the region-set space.

        Args:
            x: ``(n, input_dim)`` or one ``(input_dim,)`` vector.

        Returns:
            float32 ``(n, output_dim)`` (``(output_dim,)`` for one vector).
        """
        import torch

        a = np.asarray(x)
        single = a.ndim == 1
        m = _matrix(a[None, :] if single else a, "x", self.input_dim)
        self.model.eval()
        with torch.no_grad():
            out = self.model(torch.from_numpy(m).to(self.device)).cpu().numpy()
        return out[0] if single else out

    def embedding_to_embedding(self, input_vecs: np.ndarray) -> np.ndarray:
        """Upstream's name for :meth:`encode`."""
        return self.encode(input_vecs)

    def save(self, path: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the model folder: ``config.yaml``, ``model.safetensors``, ``checkpoint.pt``.

        Args:
            path: the folder (created).
            force: replace existing model files.

        Returns:
            The folder.

        Raises:
            FileExistsError: model files exist and ``force`` is false.
        """
        import torch
        import yaml
        from safetensors.torch import save_file

        from geniml._atomic import atomic_folder

        out = Path(path)
        names = (CONFIG_FILE, SAFETENSORS_FILE, CHECKPOINT_FILE)
        state = {k: t.detach().cpu().contiguous() for k, t in self.model.state_dict().items()}
        cfg = {
            "model_type": MODEL_TYPE,
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "num_units": self.num_units,
            "loss": self.loss_name,
            "trained": self.trained,
        }
        with atomic_folder(out, force=force, replace=names, keep_others=True) as tmp:
            save_file(state, str(Path(tmp) / SAFETENSORS_FILE))
            torch.save(state, Path(tmp) / CHECKPOINT_FILE)
            (Path(tmp) / CONFIG_FILE).write_text(yaml.safe_dump(cfg, sort_keys=False))
        return out

    export = save

    @classmethod
    def load(cls, path: str | os.PathLike, *, device: str | None = None) -> Vec2Vec:
        """Read a model folder written by :meth:`save` (or upstream's ``export``).

        ``model.safetensors`` is read when present, else ``checkpoint.pt``.

        Raises:
            ModelError: the folder is missing files, or shapes disagree with the config.
        """
        import yaml

        folder = Path(path)
        cfg_path = folder / CONFIG_FILE
        if not cfg_path.is_file():
            raise ModelError(f"{folder}: not a Vec2Vec model folder (no {CONFIG_FILE})")
        cfg = yaml.safe_load(cfg_path.read_text()) or {}
        if cfg.get("model_type", MODEL_TYPE) != MODEL_TYPE:
            raise ModelError(
                f"{cfg_path}: model_type is {cfg.get('model_type')!r}, expected {MODEL_TYPE!r}"
            )
        for key in ("input_dim", "output_dim", "num_units"):
            if key not in cfg:
                raise ModelError(f"{cfg_path}: missing field {key!r}")
        v = cls.__new__(cls)
        Vec2Vec.__init__(
            v, cfg["input_dim"], cfg["output_dim"], num_units=cfg["num_units"], device=device
        )
        v.loss_name = str(cfg.get("loss", "cosine_embedding_loss"))
        state = _read_state(folder)
        try:
            v.model.load_state_dict(state)
        except RuntimeError as err:
            raise ModelError(f"{folder}: weights do not match {CONFIG_FILE} ({err})") from err
        v.model.to(v.device).eval()
        v.trained = bool(cfg.get("trained", True))
        return v

    # -- Hugging Face folders: from_pretrained / save_pretrained / push_to_hub (PretrainedMixin)
    card_type = "Vec2Vec"

    @classmethod
    def _from_folder(cls, folder: Path, *, device: str | None) -> Vec2Vec:
        return cls.load(folder, device=device)

    def _save_folder(self, folder: Path, *, force: bool) -> Path:
        return self.save(folder, force=force)

    def _train_params(self) -> dict[str, Any] | None:
        h = self.history
        if h is None or not h.loss:
            return None
        params: dict[str, Any] = {"epochs_run": len(h.loss), "best_epoch": h.best_epoch}
        params["final_loss"] = h.loss[-1]
        if h.val_loss:
            params["best_val_loss"] = h.val_loss[h.best_epoch]
        params["stopped_early"] = h.stopped_early
        return params


def _read_state(folder: Path) -> dict:
    import torch

    if (folder / SAFETENSORS_FILE).is_file():
        from safetensors.torch import load_file

        return load_file(str(folder / SAFETENSORS_FILE))
    if (folder / CHECKPOINT_FILE).is_file():
        return torch.load(folder / CHECKPOINT_FILE, map_location="cpu", weights_only=True)
    raise ModelError(f"{folder}: no {SAFETENSORS_FILE} or {CHECKPOINT_FILE}")


class Vec2VecFNN(Vec2Vec):
    """Upstream's wrapper name: ``Vec2VecFNN(model_path)`` loads a model folder.

    Args:
        model_path: a local model folder (never downloaded).
        device: torch device.
    """

    def __init__(self, model_path: str | os.PathLike, *, device: str | None = None) -> None:
        loaded = Vec2Vec.load(model_path, device=device)
        self.__dict__.update(loaded.__dict__)
