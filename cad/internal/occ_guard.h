// SPDX-License-Identifier: MIT
#pragma once
// The layer edge for OpenCASCADE: runs kernel code with OCC exceptions (and signals such as
// SIGSEGV inside the kernel, converted by OCC_CATCH_SIGNALS) turned into cad::Error.

#include "cad/error.h"

#include <Standard_ErrorHandler.hxx>
#include <Standard_Failure.hxx>

#include <new>
#include <sstream>
#include <string>

namespace img2cad::cad {

/// Prepares OCC once per process and thread (idempotent, thread-safe): signal handlers that
/// turn crashes inside the kernel into exceptions, and no console chatter from translators.
void initialiseOcc();

/// Runs `fn` and rethrows any OCC failure as cad::Error("<what>: <OCC message>", where).
template <typename Fn>
auto guardOcc(const std::string& what, Fn&& fn, ProgramLocation where = {}) -> decltype(fn()) {
    initialiseOcc();
    try {
        OCC_CATCH_SIGNALS
        return fn();
    } catch (const Standard_Failure& failure) {
        std::ostringstream text;
        text << what << " failed in the geometry kernel (" << failure.DynamicType()->Name();
        if (failure.GetMessageString() && *failure.GetMessageString())
            text << ": " << failure.GetMessageString();
        text << ")";
        throw Error(text.str(), where);
    } catch (const std::bad_alloc&) {
        throw Error(what + " ran out of memory", where);
    }
}

} // namespace img2cad::cad
