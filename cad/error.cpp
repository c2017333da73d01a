// SPDX-License-Identifier: MIT
#include "cad/error.h"

namespace img2cad::cad {

std::string ProgramLocation::describe() const {
    std::string text;
    const auto append = [&text](const char* name, int value) {
        if (value < 0) return;
        if (!text.empty()) text += ", ";
        text += name;
        text += ' ';
        text += std::to_string(value);
    };
    append("operation", operation);
    append("profile", profile);
    append("loop", loop);
    append("curve", curve);
    return text;
}

Error::Error(const std::string& message, ProgramLocation where)
    : std::runtime_error(where.isSet() ? where.describe() + ": " + message : message),
      m_where(where), m_reason(message) {}

} // namespace img2cad::cad
