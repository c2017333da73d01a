// SPDX-License-Identifier: MIT
#include "cad/internal/occ_guard.h"

#include <OSD.hxx>

#include <mutex>

namespace img2cad::cad {

void installOccSignalHandlers() {
    // NOTE: floating-point traps stay off: OCC's algorithms rely on IEEE inf/NaN internally.
    static std::once_flag once;
    std::call_once(once, [] { OSD::SetSignal(OSD_SignalMode_Set, Standard_False); });
    // Signal-to-exception conversion is per thread in OCC; workers call in from many threads.
    thread_local bool threadReady = false;
    if (!threadReady) {
        OSD::SetThreadLocalSignal(OSD_SignalMode_Set, Standard_False);
        threadReady = true;
    }
}

} // namespace img2cad::cad
