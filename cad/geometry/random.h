// SPDX-License-Identifier: MIT
#pragma once
// Deterministic random numbers for every layer: splitmix64 and hand-written draws, so that a
// seed gives the same parts, points and pictures with every standard library (the
// distributions of <random> differ between vendors).

#include <cmath>
#include <cstdint>

namespace img2cad::cad {

/// The splitmix64 increment (the golden ratio in 64 bits).
constexpr std::uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;

/// Mixes one 64-bit word (the splitmix64 finaliser); also a good integer hash.
inline std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// A seed derived from a parent seed and a purpose tag, so that independent streams stay
/// independent when one of them draws more numbers.
inline std::uint64_t deriveSeed(std::uint64_t seed, std::uint64_t tag) {
    return mix64(seed + kGoldenGamma * (tag + 1));
}

class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next() { return mix64(m_state += kGoldenGamma); }
    /// Uniform in [0, 1).
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform in [0, n).
    int index(int n) { return int(next() % std::uint64_t(n)); }
    bool chance(double p) { return uniform() < p; }
    /// Standard normal (Box-Muller; one value per call keeps the stream simple).
    double gaussian() {
        const double u1 = 1.0 - uniform(); // (0, 1]: log stays finite
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

private:
    std::uint64_t m_state;
};

} // namespace img2cad::cad
