// SPDX-License-Identifier: MIT
#include "ml/mixed_precision.h"

#include <ATen/autocast_mode.h>

namespace img2cad::ml {

MixedPrecisionScope::MixedPrecisionScope(const torch::Device& device, bool enabled)
    : m_enabled(enabled), m_cuda(device.is_cuda()) {
    if (!m_enabled) return;
    if (m_cuda) {
        m_wasEnabled = at::autocast::is_enabled();
        m_previousType = at::autocast::get_autocast_gpu_dtype();
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
    } else {
        m_wasEnabled = at::autocast::is_cpu_enabled();
        m_previousType = at::autocast::get_autocast_cpu_dtype();
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
    }
    at::autocast::increment_nesting();
}

MixedPrecisionScope::~MixedPrecisionScope() {
    if (!m_enabled) return;
    // As Python's autocast does on leaving its outermost scope: drop the cached weight casts.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    if (m_cuda) {
        at::autocast::set_enabled(m_wasEnabled);
        at::autocast::set_autocast_gpu_dtype(m_previousType);
    } else {
        at::autocast::set_cpu_enabled(m_wasEnabled);
        at::autocast::set_autocast_cpu_dtype(m_previousType);
    }
}

} // namespace img2cad::ml
