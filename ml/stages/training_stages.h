// SPDX-License-Identifier: MIT
#pragma once
// Every trainable stage (codebook, lift, align, refine, diffusion, and the part library, which is
// built rather than trained) behind one interface, so the command line (`img2cadseq train STAGE
// --flag value ...`) and the window's Trainer panel offer the same options with the same
// defaults (the paper's where it gives them) and run the same engine: one definition of each
// hyper-parameter, not one per front end.

#include "ml/training/training_loop.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace img2cad::ml {

struct StageOption {
    enum class Kind { Integer, Real, Text, Folder, Flag };
    std::string flag; ///< "--steps"
    std::string help;
    Kind kind = Kind::Text;
    bool required = false;
};

struct StageRunResult {
    std::int64_t stepsDone = 0;
    bool finished = false; ///< false: stopped on request, with a checkpoint to resume from
    std::string summary;   ///< what was written and its validation, for people
};

class TrainingStage {
public:
    virtual ~TrainingStage() = default;
    TrainingStage(const TrainingStage&) = delete; // its options point into its own settings
    TrainingStage& operator=(const TrainingStage&) = delete;
    const std::string& name() const { return m_name; }
    const std::string& description() const { return m_description; }
    const std::vector<StageOption>& options() const { return m_options; }

    /// The option's current value as text ("" for an unset folder; "true"/"false" for flags).
    std::string value(const std::string& flag) const;
    /// Sets an option from text; throws ml::Error for an unknown flag or an unreadable value.
    void set(const std::string& flag, const std::string& text);
    /// Throws ml::Error naming the required options left empty.
    void checkRequired() const;

    virtual std::filesystem::path outFolder() const = 0;
    /// Trains, or resumes the run in outFolder(); `stop` makes it checkpoint and return.
    virtual StageRunResult run(const std::function<void(const TrainingProgress&)>& onProgress,
                               const std::atomic<bool>* stop) = 0;

protected:
    TrainingStage(std::string name, std::string description);
    template <typename T>
    void bind(const std::string& flag, T& field, const std::string& help = {},
              bool required = false);

private:
    struct Binding {
        std::function<std::string()> get;
        std::function<void(const std::string&)> set;
    };
    std::string m_name, m_description;
    std::vector<StageOption> m_options;
    std::vector<Binding> m_bindings; ///< parallel to m_options
};

/// "codebook", "lift", "align", "refine", "diffusion", "library" (the order of the pipeline).
std::vector<std::string> trainingStageNames();
/// A stage with its default settings; throws ml::Error for an unknown name.
std::unique_ptr<TrainingStage> makeTrainingStage(const std::string& name);

} // namespace img2cad::ml
