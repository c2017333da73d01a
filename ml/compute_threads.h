// SPDX-License-Identifier: MIT
#pragma once
// How many CPU threads LibTorch uses. Debian 12's LibTorch starts with one intra-op thread on
// this project's 2-core machines (torch.get_num_threads() == 1, measured), which leaves half
// of the machine idle in every model; programs call useMachineThreads() once at start-up.

namespace img2cad::ml {

/// Sets LibTorch's intra-op threads to IMG2CAD_THREADS when that is set to a positive number,
/// else leaves an explicit OMP_NUM_THREADS alone, else uses one thread per core. Returns the
/// thread count in effect.
int useMachineThreads();

} // namespace img2cad::ml
