// SPDX-License-Identifier: MIT
#include "ml/training/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace img2cad::ml {

double WarmupCosineSchedule::rateAt(std::int64_t step) const {
    if (step < warmupSteps) return baseRate * double(step + 1) / double(warmupSteps);
    const std::int64_t decaySteps = std::max<std::int64_t>(1, totalSteps - warmupSteps);
    const double progress = std::min(1.0, double(step - warmupSteps) / double(decaySteps));
    const double cosine = 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
    return baseRate * (finalFraction + (1.0 - finalFraction) * cosine);
}

} // namespace img2cad::ml
