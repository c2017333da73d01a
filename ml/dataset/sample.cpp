// SPDX-License-Identifier: MIT
#include "ml/dataset/sample.h"

#include "ml/error.h"

namespace img2cad::ml {

const char* splitName(Split split) {
    switch (split) {
    case Split::Train:
        return "train";
    case Split::Val:
        return "val";
    case Split::Test:
        return "test";
    }
    return "?";
}

Split splitNamed(const std::string& name) {
    for (Split s : {Split::Train, Split::Val, Split::Test})
        if (name == splitName(s)) return s;
    throw Error("the split must be train, val or test, not '" + name + "'");
}

Split splitFor(const std::string& nearDuplicateKey) {
    std::uint64_t hash = 1469598103934665603ull; // FNV-1a 64: stable across machines and runs
    for (unsigned char c : nearDuplicateKey)
        hash = (hash ^ c) * 1099511628211ull;
    const std::uint64_t bucket = hash % 10;
    return bucket < 8 ? Split::Train : bucket == 8 ? Split::Val : Split::Test;
}

} // namespace img2cad::ml
