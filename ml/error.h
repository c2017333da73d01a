// SPDX-License-Identifier: MIT
#pragma once
// The one error type of the ml layer, with a message a user can act on.

#include <stdexcept>
#include <string>

namespace img2cad::ml {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace img2cad::ml
