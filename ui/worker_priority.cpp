// SPDX-License-Identifier: MIT
#include "ui/worker_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace img2cad::ui {

void lowerThisThreadsPriority() {
    setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), 10);
}

} // namespace img2cad::ui
