// SPDX-License-Identifier: MIT
#include "cad/internal/occ_guard.h"

#include <Message.hxx>
#include <Message_Messenger.hxx>
#include <OSD.hxx>

#include <mutex>

namespace img2cad::cad {
namespace {

#ifdef IMG2CAD_FUZZING
// The fuzzers (fuzz/) keep libFuzzer's and ASan's handlers, which name the crashing input;
// OCC's would turn a segmentation fault into a silent exit 139.
constexpr OSD_SignalMode kSignalMode = OSD_SignalMode_SetUnhandled;
#else
constexpr OSD_SignalMode kSignalMode = OSD_SignalMode_Set;
#endif

} // namespace

void initialiseOcc() {
    static std::once_flag once;
    std::call_once(once, [] {
        // NOTE: floating-point traps stay off: OCC's algorithms rely on IEEE inf/NaN internally.
        OSD::SetSignal(kSignalMode, Standard_False);
        // The STEP translators print transfer statistics and parse errors to stdout, which would
        // corrupt the CLI's output; failures reach callers as cad::Error instead.
        Message::DefaultMessenger()->ChangePrinters().Clear();
    });
    // Signal-to-exception conversion is per thread in OCC; workers call in from many threads.
    thread_local bool threadReady = false;
    if (!threadReady) {
        OSD::SetThreadLocalSignal(kSignalMode, Standard_False);
        threadReady = true;
    }
}

} // namespace img2cad::cad
