// SPDX-License-Identifier: MIT
#pragma once
// The one error type of the cad layer. Every public function reports failure by throwing it,
// with a message a user can act on; OCC exceptions never escape the layer.

#include <stdexcept>
#include <string>

namespace img2cad::cad {

/// Where in a program an error was found; -1 means "not applicable".
struct ProgramLocation {
    int operation = -1;
    int profile = -1;
    int loop = -1;
    int curve = -1;

    bool isSet() const { return operation >= 0; }
    /// "operation 2, profile 0, loop 1, curve 3" (only the parts that are set).
    std::string describe() const;
};

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, ProgramLocation where = {});
    /// The location inside the program, for the GUI to highlight; unset for I/O errors.
    const ProgramLocation& where() const { return m_where; }
    /// The message without the location prefix.
    const std::string& reason() const { return m_reason; }

private:
    ProgramLocation m_where;
    std::string m_reason;
};

} // namespace img2cad::cad
