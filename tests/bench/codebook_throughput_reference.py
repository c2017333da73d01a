#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The reference for bench_codebook_throughput: the same level VQ-VAE (ml/codebook/
level_vqvae.* and vector_quantizer.*) written in python3-torch, trained on a synthetic batch of
the same shape. Prints one line: "python <sequences per second>"."""

import argparse
import time

import torch
from torch import nn
import torch.nn.functional as F


class Quantizer(nn.Module):
    """Nearest code, straight-through, EMA codebook (decay 0.99), commitment 0.25, k-means on the
    first batch (10 iterations) and restarts of codes idle for 100 batches."""

    def __init__(self, codes, dim):
        super().__init__()
        self.codes = codes
        self.register_buffer("codebook", torch.empty(codes, dim).uniform_(-1 / codes, 1 / codes))
        self.register_buffer("sizes", torch.ones(codes))
        self.register_buffer("sums", self.codebook.clone())
        self.register_buffer("idle", torch.zeros(codes, dtype=torch.long))
        self.initialised = False

    @staticmethod
    def nearest(flat, codebook):
        d = flat.pow(2).sum(1, keepdim=True) - 2 * flat @ codebook.t() + codebook.pow(2).sum(1)
        return d.argmin(1)

    @torch.no_grad()
    def kmeans(self, flat):
        centres = flat[torch.randint(flat.shape[0], (self.codes,))].clone()
        for _ in range(10):
            a = self.nearest(flat, centres)
            sums = torch.zeros_like(centres).index_add_(0, a, flat)
            counts = torch.bincount(a, minlength=self.codes).float().unsqueeze(1)
            centres = torch.where(counts == 0, centres, sums / counts.clamp_min(1))
        self.codebook.copy_(centres)
        self.sums.copy_(centres)
        self.sizes.fill_(1)
        self.initialised = True

    def forward(self, z):
        flat = z.reshape(-1, z.shape[-1])
        if self.training and not self.initialised:
            self.kmeans(flat.detach())
        idx = self.nearest(flat.detach(), self.codebook)
        chosen = self.codebook[idx]
        loss = 0.25 * F.mse_loss(flat, chosen)
        quantized = (flat + (chosen - flat).detach()).reshape(z.shape)
        counts = torch.bincount(idx, minlength=self.codes)
        p = counts.double() / max(1, flat.shape[0])
        _perplexity = torch.exp(-(p * torch.log(p.clamp_min(1e-12))).sum()).item()
        if self.training:
            with torch.no_grad():
                used = counts > 0
                self.idle.add_(1).masked_fill_(used, 0)
                sums = torch.zeros_like(self.sums).index_add_(0, idx, flat.detach())
                self.sizes.mul_(0.99).add_(counts.float(), alpha=0.01)
                self.sums.mul_(0.99).add_(sums, alpha=0.01)
                total = self.sizes.sum()
                sizes = (self.sizes + 1e-5) / (total + self.codes * 1e-5) * total
                self.codebook.copy_(self.sums / sizes.unsqueeze(1))
                dead = (self.idle >= 100).nonzero().squeeze(1)
                if dead.numel():
                    fresh = flat[torch.randint(flat.shape[0], (dead.numel(),))].detach()
                    self.codebook[dead] = fresh
                    self.sums[dead] = fresh
                    self.sizes[dead] = 1
                    self.idle[dead] = 0
        return quantized, idx.reshape(z.shape[:-1]), loss


def transformer(width, heads, layers):
    layer = nn.TransformerEncoderLayer(width, heads, 4 * width, 0.1, activation="gelu")
    return nn.TransformerEncoder(layer, layers)


class LevelVqVae(nn.Module):
    def __init__(self, width, heads, layers, codes, row_dim=8, continuous=5, categories=3):
        super().__init__()
        self.continuous = continuous
        self.lift = nn.Sequential(nn.Linear(row_dim, width), nn.GELU(), nn.Linear(width, width))
        self.enc_positions = nn.Embedding(256, width)
        self.encoder = transformer(width, heads, layers)
        self.to_code = nn.Linear(width, width)
        self.normalise = nn.LayerNorm(width, elementwise_affine=False)
        self.quantizer = Quantizer(codes, width)
        self.from_code = nn.Linear(width, width)
        self.dec_positions = nn.Embedding(256, width)
        self.decoder = transformer(width, heads, layers)
        self.continuous_head = nn.Linear(width, continuous)
        self.categorical_head = nn.Linear(width, categories)
        self.register_buffer("mean", torch.zeros(row_dim))
        self.register_buffer("scale", torch.ones(row_dim))

    def forward(self, rows, padding):
        x = (rows - self.mean) / self.scale
        pos = torch.arange(rows.shape[1])
        h = self.lift(x) + self.enc_positions(pos).unsqueeze(0)
        h = self.encoder(h.transpose(0, 1), src_key_padding_mask=padding).transpose(0, 1)
        z = self.normalise(self.to_code(h))
        q, idx, vq_loss = self.quantizer(z)
        h = self.from_code(q) + self.dec_positions(pos).unsqueeze(0)
        h = self.decoder(h.transpose(0, 1), src_key_padding_mask=padding).transpose(0, 1)
        cont, logits = self.continuous_head(h), self.categorical_head(h)
        valid = (~padding).float()
        count = valid.sum().clamp_min(1)
        mse = ((cont - x[..., : self.continuous]).pow(2).mean(2) * valid).sum() / count
        target = rows[..., self.continuous :].argmax(2)
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                             reduction="none")
        ce = (ce.reshape(valid.shape) * valid).sum() / count
        return 1.0 * mse + 0.5 * ce + vq_loss


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for name, default in [("batch", 32), ("length", 48), ("width", 128), ("layers", 2),
                          ("heads", 4), ("codes", 256), ("steps", 30)]:
        parser.add_argument("--" + name, type=int, default=default)
    a = parser.parse_args()
    torch.manual_seed(0)
    model = LevelVqVae(a.width, a.heads, a.layers, a.codes)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    types = torch.randint(3, (a.batch, a.length))
    rows = torch.cat([torch.randn(a.batch, a.length, 5), F.one_hot(types, 3).float()], 2)
    padding = torch.zeros(a.batch, a.length, dtype=torch.bool)

    def step():
        loss = model(rows, padding)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    print(f"python {a.steps * a.batch / (time.perf_counter() - start):.2f}")


if __name__ == "__main__":
    main()
