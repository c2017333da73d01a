// SPDX-License-Identifier: MIT
#pragma once
// Worker threads (reconstruction, training) run below the window's thread.

namespace img2cad::ui {

/// Linux nice 10 for the calling thread (threads it starts inherit it), so that on a 2-core
/// machine the window's thread always gets the CPU first and the event loop never stalls (the
/// responsiveness test). Lowering needs no privilege; failing to is harmless.
void lowerThisThreadsPriority();

} // namespace img2cad::ui
