// SPDX-License-Identifier: MIT
#include "ml/diffusion/absorbing_diffusion.h"

#include "ml/error.h"

#include <algorithm>
#include <cmath>

namespace img2cad::ml {

double DiffusionSchedule::maskProbability(std::int64_t t) const {
    return double(std::clamp<std::int64_t>(t, 0, steps)) / double(steps);
}

double DiffusionSchedule::revealProbability(std::int64_t t, std::int64_t s) const {
    if (!(s < t) || t <= 0) throw Error("diffusion: a reverse step goes from t to an earlier s");
    return (maskProbability(t) - maskProbability(s)) / maskProbability(t);
}

double DiffusionSchedule::vlbWeight(std::int64_t t) {
    return 1.0 / double(std::max<std::int64_t>(1, t));
}

std::vector<std::int64_t> DiffusionSchedule::samplingSteps(std::int64_t count) const {
    count = std::clamp<std::int64_t>(count, 1, steps);
    std::vector<std::int64_t> visited;
    for (std::int64_t k = count; k >= 0; --k) {
        const auto t = std::int64_t(std::llround(double(steps) * double(k) / double(count)));
        if (visited.empty() || t < visited.back()) visited.push_back(t);
    }
    return visited;
}

torch::Tensor corrupt(const torch::Tensor& x0, const torch::Tensor& t, std::int64_t maskToken,
                      const DiffusionSchedule& schedule, c10::optional<at::Generator> generator) {
    if (x0.dim() != 2 || t.dim() != 1 || t.size(0) != x0.size(0))
        throw Error("diffusion: x_0 must be [batch, length] and t [batch]");
    const torch::Tensor probability =
        (t.to(torch::kDouble) / double(schedule.steps)).clamp(0.0, 1.0).unsqueeze(1);
    const torch::Tensor draw =
        torch::rand(x0.sizes(), generator, torch::TensorOptions().dtype(torch::kDouble));
    return torch::where(draw.to(x0.device()) < probability.to(x0.device()),
                        torch::full_like(x0, maskToken), x0);
}

} // namespace img2cad::ml
