// SPDX-License-Identifier: MIT
#pragma once
// Makes the sample of one dataset slot: a generated part (or an imported file), its 4,096-point
// cloud in the normalised frame, and photo-like views with masks and depths.

#include "ml/dataset/manifest.h"
#include "ml/dataset/sample.h"

#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

namespace img2cad::viewer {
class OffscreenRenderer;
}

namespace img2cad::app {

class SampleBuilder {
public:
    /// Creates the renderer when the settings ask for views; throws std::runtime_error when
    /// that needs an X display and there is none.
    explicit SampleBuilder(const ml::DatasetSettings& settings);
    ~SampleBuilder();

    struct Outcome {
        std::optional<ml::Sample> sample; ///< empty when an imported file failed
        std::string failure;              ///< why, for imports
        int rejectedPrograms = 0;
        int nearDuplicatesSkipped = 0;
    };

    /// The sample of `slot`. Generated parts whose near-duplicate key is in `takenKeys` are
    /// redrawn deterministically (the next candidate of the slot); the key used is added.
    Outcome build(std::int64_t slot, std::unordered_set<std::string>& takenKeys);

private:
    ml::DatasetSettings m_settings;
    std::unique_ptr<viewer::OffscreenRenderer> m_renderer;
};

/// Mixes a dataset seed with a slot, an attempt and a purpose into an independent seed.
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t slot, std::uint64_t attempt,
                      std::uint64_t purpose);

} // namespace img2cad::app
