// SPDX-License-Identifier: MIT
#include "ml/compute_threads.h"

#include <torch/torch.h>

#include <cstdlib>
#include <string>
#include <thread>

namespace img2cad::ml {

int useMachineThreads() {
    if (const char* chosen = std::getenv("IMG2CAD_THREADS")) {
        const int threads = std::atoi(chosen);
        if (threads > 0) torch::set_num_threads(threads);
    } else if (!std::getenv("OMP_NUM_THREADS")) {
        torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    }
    return torch::get_num_threads();
}

} // namespace img2cad::ml
