// SPDX-License-Identifier: MIT
#pragma once
// A small deterministic random generator (xoshiro256** seeded by splitmix64). The generator's
// parts must be identical on every platform, so nothing here uses std distributions (their
// algorithms differ between standard libraries).

#include "cad/geometry/random.h"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace img2cad::cad {

/// One step of splitmix64: advances `state` and returns a well-mixed 64-bit value.
inline std::uint64_t splitMix64(std::uint64_t& state) {
    return mix64(state += kGoldenGamma);
}

/// A seed derived from two values, so that sub-streams (seed, k) do not overlap.
inline std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t salt) {
    std::uint64_t state = seed ^ (salt * 0xD1B54A32D192ED03ull);
    splitMix64(state);
    return splitMix64(state);
}

class Random {
public:
    explicit Random(std::uint64_t seed) {
        std::uint64_t state = seed;
        for (std::uint64_t& word : m_state)
            word = splitMix64(state);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
        const std::uint64_t t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    /// Uniform in [0, 1).
    double unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    /// Uniform in [lo, hi); returns lo when hi <= lo.
    double uniform(double lo, double hi) { return hi <= lo ? lo : lo + (hi - lo) * unit(); }
    /// A dimension in [lo, hi] rounded to `step` (designers use round numbers), never below lo.
    double dimension(double lo, double hi, double step = 0.5) {
        const double value = std::round(uniform(lo, hi) / step) * step;
        return value < lo ? lo : value;
    }
    /// Uniform integer in [0, n); 0 when n <= 0.
    int integer(int n) { return n <= 0 ? 0 : int(next() % std::uint64_t(n)); }
    /// Uniform integer in [lo, hi] (inclusive).
    int integer(int lo, int hi) { return hi <= lo ? lo : lo + integer(hi - lo + 1); }
    bool chance(double p) { return unit() < p; }

    template <typename T> const T& pick(const std::vector<T>& items) {
        return items[std::size_t(integer(int(items.size())))];
    }
    template <typename T> T pick(std::initializer_list<T> items) {
        return *(items.begin() + integer(int(items.size())));
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    std::uint64_t m_state[4];
};

} // namespace img2cad::cad
