// SPDX-License-Identifier: MIT
#include "cad/metrics/generation_metrics.h"

#include "cad/error.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace img2cad::cad {
namespace {

/// A cloud as three coordinate arrays, so the pairwise loop below vectorises.
struct Columns {
    std::vector<float> x, y, z;
    explicit Columns(const Cloud& cloud) {
        if (cloud.empty()) throw Error("Chamfer distance of an empty point set");
        for (const Vec3f& p : cloud)
            x.push_back(p.x), y.push_back(p.y), z.push_back(p.z);
    }
};

/// Appendix A's CD with one pass over the pairs: each distance updates both directions' minima.
/// Written so the compiler vectorises the inner loop: plain pointers that do not alias, and the
/// row minimum kept per lane (a float min reduction would need -ffast-math).
double chamfer(const Columns& a, const Columns& b, std::vector<float>& scratch) {
    constexpr std::size_t kLanes = 8;
    const std::size_t m = b.x.size(), blocks = m / kLanes * kLanes;
    scratch.assign(m, std::numeric_limits<float>::max());
    float* __restrict bMin = scratch.data();
    const float* __restrict bx = b.x.data();
    const float* __restrict by = b.y.data();
    const float* __restrict bz = b.z.data();
    double aSum = 0.0;
    for (std::size_t i = 0; i < a.x.size(); ++i) {
        const float px = a.x[i], py = a.y[i], pz = a.z[i];
        float lanes[kLanes];
        std::fill_n(lanes, kLanes, std::numeric_limits<float>::max());
        for (std::size_t j = 0; j < blocks; j += kLanes)
            for (std::size_t k = 0; k < kLanes; ++k) {
                const float dx = px - bx[j + k], dy = py - by[j + k], dz = pz - bz[j + k];
                const float d = dx * dx + dy * dy + dz * dz;
                lanes[k] = std::min(lanes[k], d);
                bMin[j + k] = std::min(bMin[j + k], d);
            }
        float best = *std::min_element(lanes, lanes + kLanes);
        for (std::size_t j = blocks; j < m; ++j) {
            const float dx = px - bx[j], dy = py - by[j], dz = pz - bz[j];
            const float d = dx * dx + dy * dy + dz * dz;
            best = std::min(best, d);
            bMin[j] = std::min(bMin[j], d);
        }
        aSum += std::sqrt(double(best));
    }
    double bSum = 0.0;
    for (std::size_t j = 0; j < m; ++j)
        bSum += std::sqrt(double(bMin[j]));
    return 0.5 * (aSum / double(a.x.size()) + bSum / double(m));
}

std::vector<double> occupancy(const std::vector<Cloud>& clouds, int resolution) {
    std::vector<double> counts(std::size_t(resolution) * resolution * resolution, 0.0);
    std::vector<std::size_t> cells;
    const auto cell = [resolution](float v) {
        return std::clamp(int(std::floor((double(v) + 0.5) * resolution)), 0, resolution - 1);
    };
    for (const Cloud& cloud : clouds) {
        cells.clear();
        for (const Vec3f& p : cloud)
            cells.push_back((std::size_t(cell(p.x)) * resolution + cell(p.y)) * resolution +
                            cell(p.z));
        std::sort(cells.begin(), cells.end());
        cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
        for (std::size_t c : cells)
            counts[c] += 1.0;
    }
    double total = 0.0;
    for (double c : counts)
        total += c;
    if (!(total > 0.0)) throw Error("JSD of a set of shapes without points");
    for (double& c : counts)
        c /= total;
    return counts;
}

} // namespace

std::vector<double> chamferMatrix(const std::vector<Cloud>& a, const std::vector<Cloud>& b,
                                  int threads) {
    std::vector<Columns> as, bs;
    for (const Cloud& c : a)
        as.emplace_back(c);
    for (const Cloud& c : b)
        bs.emplace_back(c);
    std::vector<double> matrix(a.size() * b.size());
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
        std::vector<float> scratch;
        for (std::size_t i; (i = next++) < as.size();)
            for (std::size_t j = 0; j < bs.size(); ++j)
                matrix[i * bs.size() + j] = chamfer(as[i], bs[j], scratch);
    };
    const unsigned count =
        threads > 0 ? unsigned(threads) : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < count; ++t)
        workers.emplace_back(work);
    work();
    for (std::thread& w : workers)
        w.join();
    return matrix;
}

Fidelity fidelity(const std::vector<double>& matrix, std::size_t samples,
                  std::size_t referenceCount, const std::vector<std::size_t>& references) {
    if (samples == 0 || references.empty())
        throw Error("MMD and COV need generated shapes and references");
    if (matrix.size() != samples * referenceCount)
        throw Error("the CD matrix is not samples x references");
    for (std::size_t r : references)
        if (r >= referenceCount) throw Error("a reference index is out of range");
    Fidelity f;
    for (std::size_t r : references) { // MMD: each reference's nearest generated shape
        double best = std::numeric_limits<double>::max();
        for (std::size_t s = 0; s < samples; ++s)
            best = std::min(best, matrix[s * referenceCount + r]);
        f.mmd += best;
    }
    f.mmd /= double(references.size());
    std::unordered_set<std::size_t> covered; // COV: each generated shape's nearest reference
    for (std::size_t s = 0; s < samples; ++s) {
        std::size_t nearest = references.front();
        for (std::size_t r : references)
            if (matrix[s * referenceCount + r] < matrix[s * referenceCount + nearest]) nearest = r;
        covered.insert(nearest);
    }
    f.coverage = double(covered.size()) / double(references.size());
    return f;
}

double occupancyJsd(const std::vector<Cloud>& a, const std::vector<Cloud>& b, int resolution) {
    if (resolution < 1) throw Error("the occupancy grid needs at least one voxel");
    const std::vector<double> p = occupancy(a, resolution), q = occupancy(b, resolution);
    const auto kl = [](double x, double m) { return x > 0.0 ? x * std::log(x / m) : 0.0; };
    double jsd = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double m = 0.5 * (p[i] + q[i]);
        jsd += 0.5 * (kl(p[i], m) + kl(q[i], m));
    }
    return jsd;
}

Diversity diversity(const std::vector<std::uint64_t>& generated,
                    const std::vector<std::uint64_t>& training) {
    if (generated.empty()) throw Error("novelty and uniqueness need generated shapes");
    const std::unordered_set<std::uint64_t> seen(training.begin(), training.end());
    std::unordered_map<std::uint64_t, int> counts;
    for (std::uint64_t key : generated)
        ++counts[key];
    std::size_t novel = 0, unique = 0;
    for (std::uint64_t key : generated) {
        novel += !seen.count(key);
        unique += counts[key] == 1;
    }
    return {double(novel) / double(generated.size()), double(unique) / double(generated.size())};
}

} // namespace img2cad::cad
