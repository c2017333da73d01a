// SPDX-License-Identifier: MIT
#pragma once
// glibc's malloc gives large freed blocks back to the kernel at once (mmap'd blocks above a
// threshold that starts at 128 KiB, and heap tops above 128 KiB), so a training step that
// allocates and frees the same tensors every time pays page faults and page zeroing for all of
// them again: in `train lift` 45 % of the time was in the kernel (perf), and keeping freed
// memory for reuse made a step 2x faster (9.9 -> 19.5 views/s, small lifter, batch 8).
// Command-line programs call keepFreedMemoryForReuse() once at start-up. The window does not
// (it should give memory back after a reconstruction), so its Training tab, which trains in
// process, goes without.

namespace img2cad::ml {

/// Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and the heap keeps
/// up to 1 GiB of free memory at its top instead of returning it.
void keepFreedMemoryForReuse();

} // namespace img2cad::ml
