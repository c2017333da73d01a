// SPDX-License-Identifier: MIT
#include "ml/reconstruct/default_model.h"

#include <system_error>

namespace img2cad::ml {
namespace fs = std::filesystem;

fs::path shippedModelFolder(const fs::path& programFolder) {
    for (const fs::path& folder : {programFolder / "../share/img2cadseq/models/default",
                                   fs::path(IMG2CAD_ASSETS_DIR) / "models/default"}) {
        std::error_code error;
        if (fs::is_directory(folder / "codebook", error))
            return fs::weakly_canonical(folder, error).lexically_normal();
    }
    return {};
}

fs::path runningProgramFolder() {
    std::error_code error;
    const fs::path executable = fs::read_symlink("/proc/self/exe", error);
    return error ? fs::path() : executable.parent_path();
}

} // namespace img2cad::ml
