// SPDX-License-Identifier: MIT
#include "ml/memory_reuse.h"

#include <malloc.h>

namespace img2cad::ml {

void keepFreedMemoryForReuse() {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}

} // namespace img2cad::ml
