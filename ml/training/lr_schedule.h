// SPDX-License-Identifier: MIT
#pragma once
// Learning-rate schedule of the paper's trainers (section 4.2): linear warm-up to the base rate,
// then cosine decay to `finalFraction` of it at `totalSteps`.

#include <cstdint>

namespace img2cad::ml {

struct WarmupCosineSchedule {
    double baseRate = 1e-4;
    std::int64_t warmupSteps = 0;
    std::int64_t totalSteps = 1;
    double finalFraction = 0.0;

    /// The rate for step `step` (0-based); constant at the final rate past `totalSteps`.
    double rateAt(std::int64_t step) const;
};

} // namespace img2cad::ml
